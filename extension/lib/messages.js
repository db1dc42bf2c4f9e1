// Message types between content scripts, the popup and the service worker.
// Every message is a plain object whose `type` is one of these.
(() => {
  const ns = (globalThis.ledgerium ??= {});

  ns.messages = Object.freeze({
    CAPTURE: 'capture',
    CONNECT: 'connect',
    DISCONNECT: 'disconnect',
    GET_STATE: 'get-state',
    START: 'start',
    PAUSE: 'pause',
    RESUME: 'resume',
    STOP: 'stop',
    MARK_PHASE: 'mark-phase',
    ADD_NOTE: 'add-note',
    TOGGLE_DROP: 'toggle-drop',
    FINISH: 'finish',
    DISCARD: 'discard',
    RETRY_UPLOAD: 'retry-upload',
    SKIPPED_FIELDS: 'skipped-fields',
    UNINSTRUMENTED: 'uninstrumented'
  });
  // The keys in chrome.storage.local. Content scripts read STATUS only.
  ns.storageKeys = Object.freeze({
    STATUS: 'status',
    CONNECTION: 'connection',
    RECORDING: 'recording',
    EVENT_PREFIX: 'event:'
  });
})();
