// Tabs: a tab a recorded tab opens is recorded too, and moving between
// recorded tabs is a step. Pages the extension cannot enter go on the
// privacy receipt.
import './lib/events.js';
import './lib/messages.js';
import { read, updateRecording } from './sw-store.js';
import {
  addUninstrumented,
  pageOfTab,
  recordEvent,
  recordTabOpened
} from './sw-recording.js';
import { pump } from './sw-upload.js';

const { events, storageKeys } = globalThis.ledgerium;

async function currentRecording() {
  const stored = await read(storageKeys.RECORDING);
  const recording = stored[storageKeys.RECORDING];
  return recording?.state === 'recording' ? recording : null;
}

async function noteBrowserPage(tab) {
  const href = tab.url || tab.pendingUrl || '';
  if (!href || /^https?:/.test(href) || href === 'about:blank') return;
  await addUninstrumented(
    events.splitUrl(href).origin || href.split(':')[0] + ':',
    'browser-page'
  );
}

async function onCreated(tab) {
  if (!(await currentRecording())) return;
  await recordTabOpened(tab);
  pump();
}

async function onActivated({ tabId }) {
  const recording = await currentRecording();
  if (
    !recording ||
    !recording.tabs.includes(tabId) ||
    recording.activeTab === tabId
  ) {
    return;
  }
  await updateRecording((current) => {
    current.activeTab = tabId;
  });
  const tab = await chrome.tabs.get(tabId).catch(() => null);
  if (!tab) return;
  await noteBrowserPage(tab);
  await recordEvent({ type: 'tab_switched', ...pageOfTab(tab) }, { tabId });
  pump();
}

async function onUpdated(tabId, change, tab) {
  if (!change.url) return;
  const recording = await currentRecording();
  if (recording?.tabs.includes(tabId)) await noteBrowserPage(tab);
}

// Tab events arrive together (a new tab is created and activated at once);
// handling them one after another keeps "opened" before "switched".
let tabQueue = Promise.resolve();

function inOrder(handler) {
  return (...args) => {
    tabQueue = tabQueue
      .then(() => handler(...args))
      .catch((error) => {
        console.warn('Tab event not recorded: %s', error?.message ?? error);
      });
  };
}

export function listenToTabs() {
  chrome.tabs.onCreated.addListener(inOrder(onCreated));
  chrome.tabs.onActivated.addListener(inOrder(onActivated));
  chrome.tabs.onUpdated.addListener(inOrder(onUpdated));
}
