// Start, pause, resume, stop and review a recording, and store each event
// before anything tries to upload it.
import './lib/redact.js';
import './lib/events.js';
import './lib/messages.js';
import './lib/connect.js';
import {
  eventKey,
  read,
  readEvents,
  removeEvents,
  serialised,
  updateRecording
} from './sw-store.js';

const { connect, events, redact, storageKeys } = globalThis.ledgerium;
const STEP_TYPES = new Set(Object.keys(events.FIELDS));

export async function setStatus(state, id = null) {
  await chrome.storage.local.set({ [storageKeys.STATUS]: { state, id } });
}

export function recordingStart({ tabId, title }) {
  return serialised(async () => {
    const stored = await read(storageKeys.RECORDING);
    if (stored[storageKeys.RECORDING])
      throw new Error('A recording is already open.');
    await removeEvents();
    const { text: cleanTitle, counts } = redact.redactText(
      String(title ?? '').trim()
    );
    const recording = {
      id: crypto.randomUUID(),
      title: Array.from(cleanTitle).slice(0, 300).join(''),
      startedAt: Date.now(),
      finishedAt: null,
      state: 'recording',
      nextSeq: 1,
      tabs: Number.isInteger(tabId) ? [tabId] : [],
      adoptTab: !Number.isInteger(tabId),
      activeTab: tabId ?? null,
      privacy: { redactions: counts, skipped_fields: [], uninstrumented: [] },
      dropped: [],
      created: false,
      ackedThrough: 0,
      finishRequested: false,
      discardRequested: false,
      upload: { state: 'pending', attempt: 0, lastError: '' }
    };
    await chrome.storage.local.set({
      [storageKeys.RECORDING]: recording,
      [storageKeys.STATUS]: { state: 'recording', id: recording.id }
    });
    return recording;
  });
}

// How many page captures the recording remembers, to store each only once
// when a page sends it again after the worker stopped before answering.
const REMEMBERED_CAPTURES = 100;

// Return the origin of the Ledgerium server the extension uploads to, or
// null. Its own pages are never recorded: the agent connects, starts and
// reviews there, which is no part of the incident. Callers read it inside
// the storage queue, so that events are queued in the order they came.
async function connectedServer() {
  const stored = await read(storageKeys.CONNECTION);
  return stored[storageKeys.CONNECTION]?.server ?? null;
}

// Whether the event or the page that sent it is on the Ledgerium server.
function onLedgerium(server, ...origins) {
  return origins.some((origin) => connect.onServer(origin, server));
}

// Store one event if the recording takes it. `tab` is the sender's tab for
// a page capture, and `page` the origin of the frame that sent it: a tab
// that a recorded tab opened is adopted here when its first capture beats
// the browser's tab event, with its "opened" step first, in the same write,
// so the two can never swap.
export function recordEvent(
  raw,
  {
    tabId = 0,
    frameId = 0,
    fromTab = false,
    captureId = '',
    tab = null,
    page = ''
  } = {}
) {
  return updateRecording(async (recording) => {
    if (recording.state !== 'recording') return null;
    const server = await connectedServer();
    const written = {};
    if (fromTab && tab)
      Object.assign(written, adoptOpenedTab(recording, tab, server));
    // Before the tab is accepted: a Ledgerium tab is not the one to adopt
    // after a browser restart.
    if (onLedgerium(server, raw.origin, page)) return written;
    if (fromTab && !acceptsTab(recording, tabId)) return written;
    if (captureId) {
      recording.captures ??= [];
      if (recording.captures.includes(captureId)) return written;
      recording.captures = [...recording.captures, captureId].slice(
        -REMEMBERED_CAPTURES
      );
    }
    return { ...written, ...appendEvent(recording, raw, { tabId, frameId }) };
  });
}

// Record that a recorded tab opened `tab`, once, from the browser's tab
// event or from the new tab's first capture, whichever comes first.
export function recordTabOpened(tab) {
  return updateRecording(async (recording) => {
    if (recording.state !== 'recording') return null;
    return adoptOpenedTab(recording, tab, await connectedServer());
  });
}

// A Ledgerium tab is adopted, so that where the agent goes from it is
// recorded, but its opening is not a step.
function adoptOpenedTab(recording, tab, server) {
  if (recording.tabs.includes(tab.id)) return {};
  if (!recording.tabs.includes(tab.openerTabId)) return {};
  recording.tabs.push(tab.id);
  // Opening a tab in front is not also a switch to it.
  if (tab.active) recording.activeTab = tab.id;
  const page = pageOfTab(tab);
  if (onLedgerium(server, page.origin)) return {};
  return appendEvent(
    recording,
    { type: 'tab_opened', opener_tab: tab.openerTabId, ...page },
    { tabId: tab.id }
  );
}

export function pageOfTab(tab) {
  const { origin, path } = events.splitUrl(tab.url || tab.pendingUrl || '');
  return { origin, path, title: tab.title ?? '' };
}

function appendEvent(recording, raw, { tabId = 0, frameId = 0 }) {
  const seq = recording.nextSeq;
  const { event, counts } = events.buildEvent(raw, {
    seq,
    ts: raw.ts ?? Date.now(),
    tab: Math.max(0, tabId),
    frame: Math.max(0, frameId)
  });
  recording.nextSeq = seq + 1;
  redact.addCounts(recording.privacy.redactions, counts);
  return { [eventKey(seq)]: event };
}

// After a browser restart tab ids change: the first tab the agent works in
// becomes the recorded tab again.
function acceptsTab(recording, tabId) {
  if (recording.tabs.includes(tabId)) return true;
  if (!recording.adoptTab) return false;
  recording.tabs.push(tabId);
  recording.activeTab = tabId;
  recording.adoptTab = false;
  return true;
}

export function recordingSetState(next) {
  return serialised(async () => {
    const stored = await read(storageKeys.RECORDING);
    const recording = stored[storageKeys.RECORDING];
    if (!recording) throw new Error('No recording is open.');
    const allowed = {
      paused: ['recording'],
      recording: ['paused'],
      review: ['recording', 'paused']
    };
    if (!allowed[next].includes(recording.state)) {
      throw new Error(`Cannot go from ${recording.state} to ${next}.`);
    }
    recording.state = next;
    if (next === 'review') recording.finishedAt = Date.now();
    await chrome.storage.local.set({
      [storageKeys.RECORDING]: recording,
      [storageKeys.STATUS]: { state: next, id: recording.id }
    });
    return recording;
  });
}

export function addSkippedFields(
  labels,
  { tabId, fromTab = false, page = '' } = {}
) {
  return updateRecording(async (recording) => {
    if (recording.state !== 'recording') return;
    if (fromTab && !recording.tabs.includes(tabId)) return;
    if (onLedgerium(await connectedServer(), page)) return;
    const known = new Set(recording.privacy.skipped_fields);
    for (const label of labels.slice(0, 50)) {
      const { text, counts } = redact.redactText(String(label).slice(0, 200));
      if (known.has(text)) continue;
      known.add(text);
      redact.addCounts(recording.privacy.redactions, counts);
    }
    recording.privacy.skipped_fields = [...known];
  });
}

export function addUninstrumented(
  origin,
  reason,
  { tabId, fromTab, page = '' } = {}
) {
  return updateRecording(async (recording) => {
    if (recording.state !== 'recording') return;
    if (fromTab && !recording.tabs.includes(tabId)) return;
    if (onLedgerium(await connectedServer(), page)) return;
    const list = recording.privacy.uninstrumented;
    const clean = String(origin).slice(0, 255);
    if (list.some((item) => item.origin === clean && item.reason === reason))
      return;
    list.push({ origin: clean, reason });
  });
}

export function toggleDrop(seq) {
  return updateRecording((recording) => {
    if (recording.state !== 'review')
      throw new Error('Steps can be dropped only in review.');
    const dropped = new Set(recording.dropped);
    if (dropped.has(seq)) dropped.delete(seq);
    else dropped.add(seq);
    recording.dropped = [...dropped].sort((a, b) => a - b);
  });
}

export function requestFinish() {
  return updateRecording((recording) => {
    if (recording.state !== 'review')
      throw new Error('Stop the recording first.');
    recording.finishRequested = true;
  });
}

export function requestDiscard() {
  return serialised(async () => {
    const stored = await read(storageKeys.RECORDING);
    const recording = stored[storageKeys.RECORDING];
    if (!recording) return null;
    recording.discardRequested = true;
    recording.state = 'review';
    await removeEvents();
    await chrome.storage.local.set({
      [storageKeys.RECORDING]: recording,
      [storageKeys.STATUS]: { state: 'discarding', id: recording.id }
    });
    return recording;
  });
}

// Forget the recording in the browser, once the server has it or dropped it.
export function recordingClose(result) {
  return serialised(async () => {
    await removeEvents();
    await chrome.storage.local.remove(storageKeys.RECORDING);
    await chrome.storage.local.set({
      [storageKeys.STATUS]: { state: 'idle', id: null },
      lastResult: result
    });
  });
}

// Return what the popup shows.
export async function recordingSummary() {
  const stored = await read(
    storageKeys.RECORDING,
    storageKeys.CONNECTION,
    'lastResult'
  );
  const recording = stored[storageKeys.RECORDING];
  const connection = stored[storageKeys.CONNECTION];
  const summary = {
    connection: connection
      ? {
          server: connection.server,
          needsReconnect: Boolean(connection.needsReconnect)
        }
      : null,
    lastResult: stored.lastResult ?? null,
    recording: null
  };
  if (!recording) return summary;
  const storedEvents = await readEvents();
  const steps = storedEvents.filter((event) => STEP_TYPES.has(event.type));
  summary.recording = {
    id: recording.id,
    title: recording.title,
    state: recording.state,
    steps: steps.filter((event) => !event.type.startsWith('recording_')).length,
    uploaded: storedEvents.filter(
      (event) => event.seq <= recording.ackedThrough
    ).length,
    total: storedEvents.length,
    upload: recording.upload,
    finishRequested: recording.finishRequested,
    discardRequested: recording.discardRequested,
    privacy: recording.privacy,
    review:
      recording.state === 'review'
        ? steps.map((event) => ({
            seq: event.seq,
            text: events.describe(event),
            dropped: recording.dropped.includes(event.seq)
          }))
        : []
  };
  return summary;
}
