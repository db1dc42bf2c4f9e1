// Watch what the agent does on a page and report it to the service worker.
// It reports names, labels and chosen options; never typed text, keys,
// HTML, cookies or clipboard contents, and nothing at all while the
// recording is paused or stopped.
(() => {
  const { names, navigation, events, connect, messages, storageKeys } =
    globalThis.ledgerium;
  const isTop = window.top === window;
  const editedFields = new WeakSet();
  // The text fields the agent typed into on this page, to mask their values
  // wherever the page echoes them.
  const typedFields = [];
  const shadowRoots = new WeakSet();
  let state = 'idle';
  let lastPage = null;
  let routes = null;
  let pendingChoice = null;
  // How long a select keeps still before its choice is a step.
  const CHOICE_SETTLE_MS = 1000;
  // Time for the Ledgerium page to take the connect-asking message before
  // the confirmation dialog blocks it.
  const ASKING_GRACE_MS = 50;

  // A capture the worker did not answer is sent again with backoff (it may
  // have been stopped while it took the message; it stores a capture id only
  // once), and later captures wait behind it so that they keep their order.
  const DELIVERY_ATTEMPTS = 6;
  const DELIVERY_BACKOFF_MS = 200;
  const outbox = [];
  let delivering = false;
  let captured = 0;

  // crypto.randomUUID needs a secure context; intranet tools often are not.
  function captureId() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join(
      ''
    );
  }

  function send(message) {
    if (message.type === messages.CAPTURE && outbox.length) {
      outbox.push(message);
      return;
    }
    try {
      chrome.runtime.sendMessage(message).catch(() => {
        if (message.type !== messages.CAPTURE) return;
        // Two sends may fail together: the queue stays in capture order.
        const later = outbox.findIndex(
          (queued) => queued.order > message.order
        );
        outbox.splice(later === -1 ? outbox.length : later, 0, message);
        if (!delivering) redeliver();
      });
    } catch {
      // The extension was reloaded or removed: this script is orphaned.
    }
  }

  async function redeliver() {
    delivering = true;
    while (outbox.length) {
      const message = outbox[0];
      for (let attempt = 1; attempt <= DELIVERY_ATTEMPTS; attempt += 1) {
        await new Promise((resolve) =>
          setTimeout(resolve, DELIVERY_BACKOFF_MS * 2 ** (attempt - 1))
        );
        if (!chrome.runtime?.id) {
          outbox.length = 0; // Orphaned: nothing can take them any more.
          break;
        }
        try {
          await chrome.runtime.sendMessage(message);
          break;
        } catch {
          // Not answered yet: wait longer and send it again.
        }
      }
      const index = outbox.indexOf(message);
      if (index !== -1) outbox.splice(index, 1);
    }
    delivering = false;
  }

  function capture(raw) {
    if (state !== 'recording') return;
    flushChoice();
    routes?.flush();
    const page = events.splitUrl(location.href);
    const event = { ...page, title: document.title, ts: Date.now(), ...raw };
    send({
      type: messages.CAPTURE,
      id: captureId(),
      order: (captured += 1),
      event: withoutTypedText(event)
    });
  }

  function typedValues() {
    return typedFields.map((field) =>
      field.isContentEditable ? field.textContent : field.value
    );
  }

  // Choices keep their label: an option is the page's text even when the
  // agent typed part of it to find it.
  function withoutTypedText(event) {
    const typed = typedValues();
    if (!typed.length) return event;
    const masked = { ...event, title: names.maskTyped(event.title, typed) };
    if (masked.name) masked.name = names.maskTyped(masked.name, typed);
    return masked;
  }

  // -- Pages -----------------------------------------------------------------
  function reportPage(href, nav, ts) {
    if (state !== 'recording') return;
    const title = names.maskTyped(document.title, typedValues());
    const page = navigation.pageOf(href, title, nav);
    if (!navigation.isNewPage(lastPage, page)) return;
    lastPage = page;
    send({
      type: messages.CAPTURE,
      id: captureId(),
      order: (captured += 1),
      event: { type: 'navigation', ...page, ts }
    });
    // A single-page app may have added frames since the last look.
    reportUninstrumentedFrames();
  }

  function reportCurrentPage({ fresh }) {
    if (fresh) lastPage = null;
    reportPage(location.href, 'load', Date.now());
    reportSensitiveFields();
  }

  // -- Clicks ----------------------------------------------------------------
  function onClick(event) {
    if (!event.isTrusted || state !== 'recording') return;
    watchShadowRoot(event);
    const found = names.findActionable(event.composedPath(), {
      cursorOf: (element) => getComputedStyle(element).cursor
    });
    if (!found) return;
    const { element, kind } = found;
    if (names.isSensitive(element)) return;
    if (kind === 'option') {
      capture(optionChoice(element));
      return;
    }
    capture({
      type: 'click',
      name: names.accessibleName(element),
      role: names.roleOf(element)
    });
  }

  function optionChoice(option) {
    const list = option.closest(
      '[role="listbox"], [role="menu"], [role="tree"]'
    );
    const controlled = list?.id
      ? list.getRootNode().querySelector(`[aria-controls~="${list.id}"]`)
      : null;
    return {
      type: 'choice_made',
      label: names.optionOwnerLabel(option),
      value: names.accessibleName(option),
      field_kind: controlled ? 'combobox' : 'listbox'
    };
  }

  // -- Fields ----------------------------------------------------------------
  // change and input do not cross a shadow root's boundary: listen on each
  // open root the agent reaches (focus and clicks do cross it).
  function watchShadowRoot(event) {
    const root = event.composedPath()[0]?.getRootNode?.();
    if (!root || root === document || shadowRoots.has(root) || !root.host)
      return;
    shadowRoots.add(root);
    root.addEventListener('change', onChange, true);
    root.addEventListener('input', onInput, true);
  }

  // Selections made by the page's own scripts or by automation arrive
  // untrusted; they still change the value the agent submits, so they count.
  function onChange(event) {
    if (state !== 'recording') return;
    const field = event.composedPath()[0];
    if (!field || field.nodeType !== 1 || names.isSensitive(field)) return;
    const kind = names.fieldKind(field);
    if (kind === 'select') {
      holdChoice(field, {
        type: 'choice_made',
        label: names.fieldLabel(field),
        value: names.selectedOptionLabel(field),
        field_kind: 'select'
      });
    } else if (kind === 'radio') {
      if (!field.checked) return;
      capture({
        type: 'choice_made',
        label: names.groupLabel(field),
        value: names.accessibleName(field),
        field_kind: 'radio',
        checked: true
      });
    } else if (kind === 'checkbox') {
      capture({
        type: 'choice_made',
        label: names.fieldLabel(field),
        field_kind: 'checkbox',
        checked: field.checked
      });
    } else {
      fieldEdited(field, kind);
    }
  }

  // Arrow keys on a closed select change it at every press: hold the
  // choice until the agent leaves the field or lets it be, so that only
  // the option they settled on is a step.
  function holdChoice(field, raw) {
    if (pendingChoice?.field !== field) flushChoice();
    clearTimeout(pendingChoice?.timer);
    pendingChoice = {
      field,
      raw: { ...raw, ts: Date.now() },
      timer: setTimeout(flushChoice, CHOICE_SETTLE_MS)
    };
  }

  function flushChoice() {
    const held = pendingChoice;
    if (!held) return;
    pendingChoice = null;
    clearTimeout(held.timer);
    capture(held.raw);
  }

  function onFocusOut(event) {
    if (event.composedPath()[0] === pendingChoice?.field) flushChoice();
  }

  // A field counts as edited at its first input, not when it loses focus:
  // a tab closed while typing never fires change. Rich-text editors fire
  // input and no change at all.
  function onInput(event) {
    if (!event.isTrusted) return;
    const target = event.composedPath()[0];
    if (!target || target.nodeType !== 1) return;
    const field = target.isContentEditable
      ? (target.closest('[contenteditable]') ?? target)
      : target;
    const kind = names.fieldKind(field);
    if (kind !== 'text' && kind !== 'textarea') return;
    // Typing while paused, or into a password, is masked all the same.
    if (!typedFields.includes(field)) typedFields.push(field);
    if (state !== 'recording' || names.isSensitive(field)) return;
    fieldEdited(field, kind);
  }

  function fieldEdited(field, kind) {
    if (editedFields.has(field)) return;
    editedFields.add(field);
    if (!typedFields.includes(field)) typedFields.push(field);
    capture({
      type: 'field_edited',
      label: names.fieldLabel(field),
      field_kind: kind
    });
  }

  function onSubmit(event) {
    if (!event.isTrusted || state !== 'recording') return;
    const form = event.composedPath()[0];
    if (!form || form.tagName !== 'FORM') return;
    const submitter = event.submitter
      ? names.accessibleName(event.submitter)
      : '';
    const name =
      form.getAttribute('aria-label') ||
      names.humanize(form.getAttribute('name') || form.id) ||
      submitter;
    capture({ type: 'form_submitted', name });
  }

  // -- Privacy receipt -------------------------------------------------------
  // Name the sensitive fields a page holds, all of them at once, so that the
  // receipt cannot tell which one the agent used.
  function reportSensitiveFields() {
    if (state !== 'recording') return;
    const fields = document.querySelectorAll(
      'input, textarea, [contenteditable]'
    );
    const labels = Array.from(fields)
      .filter((field) => names.isSensitive(field))
      .map((field) => names.fieldLabel(field) || field.type || 'field');
    if (labels.length) send({ type: messages.SKIPPED_FIELDS, labels });
  }

  function onFocusIn(event) {
    if (state !== 'recording') return;
    watchShadowRoot(event);
    const field = event.composedPath()[0];
    if (field?.nodeType === 1 && names.isSensitive(field))
      reportSensitiveFields();
  }

  // Frames whose address is not a web page get no content script.
  function reportUninstrumentedFrames() {
    if (state !== 'recording') return;
    for (const frame of document.querySelectorAll(
      'iframe, frame, embed, object'
    )) {
      const source = frame.src || frame.data || '';
      if (!source || /^(?:https?:|about:|javascript:)/.test(source)) continue;
      const { origin } = events.splitUrl(source);
      send({
        type: messages.UNINSTRUMENTED,
        origin: origin || source.split(':')[0] + ':',
        reason: 'frame-not-a-web-page'
      });
    }
  }

  // -- One-step connect from the Ledgerium Extension page --------------------
  function onWindowMessage(event) {
    const data = event.data;
    if (!data || typeof data !== 'object' || event.source !== window) return;
    if (data.type === 'ledgerium:ping' && event.origin === location.origin) {
      const version = chrome.runtime.getManifest().version;
      window.postMessage({ type: 'ledgerium:pong', version }, location.origin);
    } else if (data.type === 'ledgerium:connect') {
      handleConnect(event);
    }
  }

  async function handleConnect(event) {
    const check = connect.checkConnectRequest({
      data: event.data,
      origin: event.origin,
      fromSameWindow: event.source === window,
      pageOrigin: location.origin,
      topFrame: window === window.top
    });
    if (check.ok) {
      // The dialog blocks the page, whose timer for a silent extension
      // would run out while the agent reads it: say first that we ask.
      answer({ type: 'ledgerium:connect-asking' });
      await new Promise((resolve) => setTimeout(resolve, ASKING_GRACE_MS));
    }
    if (check.ok && !window.confirm(confirmText(check.server))) {
      check.ok = false;
      check.reason = 'declined-by-user';
    }
    if (!check.ok)
      return answer({
        type: 'ledgerium:connect-refused',
        reason: check.reason
      });
    try {
      const reply = await chrome.runtime.sendMessage({
        type: messages.CONNECT,
        server: check.server,
        token: check.token
      });
      if (!reply?.ok) throw new Error(reply?.error ?? 'not stored');
      answer({ type: 'ledgerium:connected', server: check.server });
    } catch {
      answer({ type: 'ledgerium:connect-refused', reason: 'extension-error' });
    }
  }

  function confirmText(server) {
    return (
      `Connect the Ledgerium recorder to ${server}?\n\n` +
      'Recordings you make will be uploaded to this server.'
    );
  }

  function answer(message) {
    window.postMessage(message, location.origin);
  }

  // -- State -----------------------------------------------------------------
  // A frame reports its page when it loads during a recording; on start and
  // resume only the top frame does, so each frame is not a step of its own.
  function applyStatus(status, { initial = false } = {}) {
    const previous = state;
    state = status?.state ?? 'idle';
    if (state !== 'recording' || previous === 'recording') return;
    if (initial || isTop) reportCurrentPage({ fresh: previous !== 'paused' });
  }

  function start() {
    // The page's title exists only once its head is parsed.
    const ready =
      document.readyState === 'loading'
        ? new Promise((resolve) =>
            document.addEventListener('DOMContentLoaded', resolve, {
              once: true
            })
          )
        : Promise.resolve();
    Promise.all([chrome.storage.local.get(storageKeys.STATUS), ready]).then(
      ([stored]) => applyStatus(stored[storageKeys.STATUS], { initial: true })
    );
    chrome.storage.onChanged.addListener((changes, area) => {
      if (area === 'local' && changes[storageKeys.STATUS]) {
        applyStatus(changes[storageKeys.STATUS].newValue);
      }
    });
    // Capture phase on window: pages that stop propagation still get seen.
    window.addEventListener('click', onClick, true);
    window.addEventListener('change', onChange, true);
    window.addEventListener('input', onInput, true);
    window.addEventListener('submit', onSubmit, true);
    window.addEventListener('focusin', onFocusIn, true);
    window.addEventListener('focusout', onFocusOut, true);
    window.addEventListener('pagehide', flushChoice);
    routes = navigation.watchNavigation(window, ({ href, nav, ts }) =>
      reportPage(href, nav, ts)
    );
    if (isTop) window.addEventListener('message', onWindowMessage);
  }

  start();
})();
