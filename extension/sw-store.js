// All writes to chrome.storage.local go through one queue: concurrent
// get-then-set handlers would otherwise lose events.
import './lib/messages.js';

const { storageKeys } = globalThis.ledgerium;
let queue = Promise.resolve();

// Run fn() after every write queued before it; return its result.
export function serialised(fn) {
  const run = queue.then(fn, fn);
  queue = run.catch(() => {});
  return run;
}

export async function read(...keys) {
  return chrome.storage.local.get(keys);
}

// Apply change(recording) to the stored recording and save it with any
// extra keys the change returns, in one storage write.
export function updateRecording(change) {
  return serialised(async () => {
    const stored = await read(storageKeys.RECORDING);
    const recording = stored[storageKeys.RECORDING];
    if (!recording) return null;
    const extra = (await change(recording)) ?? {};
    await chrome.storage.local.set({
      [storageKeys.RECORDING]: recording,
      ...extra
    });
    return recording;
  });
}

export function eventKey(seq) {
  return `${storageKeys.EVENT_PREFIX}${String(seq).padStart(8, '0')}`;
}

// Return the stored events in seq order.
export async function readEvents() {
  const everything = await chrome.storage.local.get(null);
  return Object.keys(everything)
    .filter((key) => key.startsWith(storageKeys.EVENT_PREFIX))
    .sort()
    .map((key) => everything[key]);
}

export async function removeEvents() {
  const everything = await chrome.storage.local.get(null);
  const keys = Object.keys(everything).filter((key) =>
    key.startsWith(storageKeys.EVENT_PREFIX)
  );
  await chrome.storage.local.remove(keys);
}
