// The one message listener: every message has a `type` from
// lib/messages.js, and an unknown type is an error, not silence.
import './lib/connect.js';
import './lib/events.js';
import './lib/messages.js';
import {
  addSkippedFields,
  addUninstrumented,
  recordEvent,
  recordingStart,
  recordingSetState,
  recordingSummary,
  requestDiscard,
  requestFinish,
  toggleDrop
} from './sw-recording.js';
import { pump } from './sw-upload.js';
import { serialised } from './sw-store.js';

const { connect, events, messages, storageKeys } = globalThis.ledgerium;
// What a content script may report; marks, notes and pauses come from the
// popup alone.
const PAGE_EVENTS = new Set([
  'navigation',
  'click',
  'field_edited',
  'choice_made',
  'form_submitted'
]);
const POPUP_ONLY = new Set([
  messages.DISCONNECT,
  messages.START,
  messages.PAUSE,
  messages.RESUME,
  messages.STOP,
  messages.MARK_PHASE,
  messages.ADD_NOTE,
  messages.TOGGLE_DROP,
  messages.FINISH,
  messages.DISCARD,
  messages.RETRY_UPLOAD,
  messages.GET_STATE
]);

async function storeConnection(server, token) {
  const origin = connect.normaliseServer(server);
  if (!origin)
    throw new Error('The server address must start with http:// or https://.');
  if (!connect.isToken(token)) {
    throw new Error(
      'The token must be the ldg_… token from the Extension page.'
    );
  }
  await serialised(() =>
    chrome.storage.local.set({
      [storageKeys.CONNECTION]: { server: origin, token, needsReconnect: false }
    })
  );
  pump();
}

// Content scripts of pages may send only what a page can see; everything
// that steers the recording comes from the extension's own popup.
function fromExtensionPage(sender) {
  return (
    sender.id === chrome.runtime.id &&
    sender.url?.startsWith(chrome.runtime.getURL(''))
  );
}

async function handle(message, sender) {
  if (POPUP_ONLY.has(message.type) && !fromExtensionPage(sender)) {
    throw new Error(`${message.type} is accepted from the popup only.`);
  }
  // What a page reports is never taken from Ledgerium's own pages. Its
  // origin is sender.origin, also in an about:blank frame, which inherits
  // its parent's where sender.url says only "about:blank".
  const tab = {
    tabId: sender.tab?.id ?? 0,
    frameId: sender.frameId ?? 0,
    fromTab: true,
    page: sender.origin ?? sender.url ?? ''
  };
  switch (message.type) {
    case messages.CAPTURE:
      if (!sender.tab || !PAGE_EVENTS.has(message.event?.type)) {
        throw new Error('Pages may report only what happens on them.');
      }
      await recordEvent(message.event, {
        ...tab,
        tab: sender.tab,
        captureId: typeof message.id === 'string' ? message.id.slice(0, 64) : ''
      });
      pump();
      return {};
    case messages.SKIPPED_FIELDS:
      await addSkippedFields(
        Array.isArray(message.labels) ? message.labels : [],
        { page: tab.page }
      );
      return {};
    case messages.UNINSTRUMENTED:
      await addUninstrumented(message.origin, message.reason, tab);
      return {};
    case messages.CONNECT:
      if (
        !connect.senderMayConnect({
          fromPopup: fromExtensionPage(sender),
          frameId: sender.frameId,
          senderUrl: sender.url,
          server: message.server
        })
      ) {
        throw new Error('A page may connect the extension only to itself.');
      }
      await storeConnection(message.server, message.token);
      return {};
    case messages.DISCONNECT:
      await chrome.storage.local.remove(storageKeys.CONNECTION);
      return {};
    case messages.GET_STATE:
      return recordingSummary();
    case messages.START:
      await recordingStart({ tabId: message.tabId, title: message.title });
      pump();
      return {};
    case messages.PAUSE:
      await recordEvent({ type: 'recording_paused' });
      await recordingSetState('paused');
      pump();
      return {};
    case messages.RESUME:
      await recordingSetState('recording');
      await recordEvent({ type: 'recording_resumed' });
      pump();
      return {};
    case messages.STOP:
      await recordingSetState('review');
      return {};
    case messages.MARK_PHASE:
      if (!events.PHASES.includes(message.phase)) {
        throw new Error(`Unknown phase: ${message.phase}`);
      }
      await recordEvent({ type: 'phase_marked', phase: message.phase });
      pump();
      return {};
    case messages.ADD_NOTE:
      await recordEvent({ type: 'note_added', note: message.note });
      pump();
      return {};
    case messages.TOGGLE_DROP:
      await toggleDrop(message.seq);
      return {};
    case messages.FINISH:
      await requestFinish();
      pump();
      return {};
    case messages.DISCARD:
      await requestDiscard();
      pump();
      return {};
    case messages.RETRY_UPLOAD:
      pump();
      return {};
    default:
      throw new Error(`Unknown message type: ${message.type}`);
  }
}

export function listenToMessages(ready) {
  chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
    ready
      .then(() => handle(message ?? {}, sender))
      .then(
        (result) => sendResponse({ ok: true, ...result }),
        (error) => {
          console.warn('Message %s refused: %s', message?.type, error.message);
          sendResponse({ ok: false, error: error.message });
        }
      );
    return true;
  });
}
