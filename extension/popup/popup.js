// The popup: connect, start, pause, resume, stop, mark phases, add notes,
// and review the steps before finishing. It only sends messages; the
// service worker owns the recording.
import '../lib/messages.js';
import '../lib/connect.js';

const { messages, connect } = globalThis.ledgerium;
const $ = (id) => document.getElementById(id);

const UPLOAD_STATES = {
  pending: 'waiting to upload',
  uploading: 'uploading',
  'up-to-date': 'all uploaded',
  offline: 'offline, will retry',
  'server-error': 'server error, will retry',
  rejected: 'upload refused, will retry',
  reconnect: 'paused until you reconnect',
  'not-connected': 'not connected: connect to upload'
};

async function send(type, extra = {}) {
  const reply = await chrome.runtime.sendMessage({ type, ...extra });
  if (!reply?.ok)
    throw new Error(reply?.error ?? 'The recorder did not answer.');
  return reply;
}

async function act(type, extra) {
  try {
    await send(type, extra);
  } catch (error) {
    $('status').textContent = error.message;
  }
  await render();
}

function show(id, visible) {
  $(id).hidden = !visible;
}

async function render() {
  const state = await send(messages.GET_STATE);
  const { connection, recording, lastResult } = state;
  const needsConnect = !connection || connection.needsReconnect;
  show('connect', needsConnect);
  show('reconnect-note', Boolean(connection?.needsReconnect));
  show('disconnect', Boolean(connection) && !recording);
  $('server-name').textContent = connection
    ? `Server: ${connection.server}`
    : 'Not connected';
  show('idle', !recording);
  show('recording', recording && recording.state !== 'review');
  show('review', recording?.state === 'review');
  $('status').textContent = statusText(recording);
  renderLastResult(lastResult, recording);
  if (recording) renderRecording(recording);
}

function statusText(recording) {
  if (!recording) return 'Not recording.';
  if (recording.discardRequested) return 'Discarding…';
  if (recording.finishRequested) return 'Finishing: uploading the last steps…';
  const words = {
    recording: 'Recording.',
    paused: 'Paused: nothing is recorded.',
    review: 'Stopped.'
  };
  return words[recording.state] ?? recording.state;
}

function renderLastResult(result, recording) {
  show('last-result', Boolean(result) && !recording);
  if (!result) return;
  const element = $('last-result');
  element.replaceChildren();
  if (result.outcome === 'discarded') {
    element.textContent = 'The last recording was discarded.';
    return;
  }
  if (result.outcome === 'empty') {
    element.textContent =
      'The last recording held no steps, so there was nothing to upload.';
    return;
  }
  element.append(
    'The last recording was uploaded: Ledgerium is writing its SOP. '
  );
  const href = connect.pageOnServer(result.page, result.server);
  if (href) {
    const link = document.createElement('a');
    link.href = href;
    link.target = '_blank';
    link.textContent = 'See it in Ledgerium';
    element.append(link);
  }
}

function renderRecording(recording) {
  $('step-count').textContent = counted(recording.steps, 'step', 'steps');
  const upload =
    UPLOAD_STATES[recording.upload.state] ?? recording.upload.state;
  const total = counted(recording.total, 'event', 'events');
  const counts = `${recording.uploaded} of ${total} sent`;
  $('upload-state').textContent = `${upload} (${counts})`;
  $('upload-state').title = recording.upload.lastError ?? '';
  show('pause', recording.state === 'recording');
  show('resume', recording.state === 'paused');
  $('phases').disabled = recording.state !== 'recording';
  $('note-form').querySelector('button').disabled =
    recording.state !== 'recording';
  if (recording.state === 'review') renderReview(recording);
}

function renderReview(recording) {
  const items = recording.review.map((step) => {
    const item = document.createElement('li');
    item.className = step.dropped ? 'dropped' : '';
    const text = document.createElement('span');
    text.textContent = step.text;
    const toggle = document.createElement('button');
    toggle.type = 'button';
    toggle.textContent = step.dropped ? 'Keep' : 'Drop';
    toggle.dataset.seq = String(step.seq);
    toggle.disabled = recording.finishRequested;
    item.append(text, toggle);
    return item;
  });
  $('steps').replaceChildren(...items);
  const privacy = recording.privacy;
  const removed = Object.values(privacy.redactions).reduce((a, b) => a + b, 0);
  $('privacy').textContent =
    `Privacy: ${counted(removed, 'value', 'values')} redacted, ` +
    `${counted(privacy.skipped_fields.length, 'sensitive field', 'sensitive fields')} skipped, ` +
    `${counted(privacy.uninstrumented.length, 'page or frame', 'pages or frames')} not recorded.`;
  $('finish').disabled = recording.finishRequested;
  $('upload-state').textContent = UPLOAD_STATES[recording.upload.state] ?? '';
}

function counted(count, one, many) {
  return `${count} ${count === 1 ? one : many}`;
}

async function onConnect(event) {
  event.preventDefault();
  const server = connect.normaliseServer($('server').value);
  const token = $('token').value.trim();
  const error = !server
    ? 'Enter the server address, starting with https:// or http://.'
    : !connect.isToken(token)
      ? 'Paste the token from the Extension page: it starts with ldg_.'
      : '';
  $('connect-error').textContent = error;
  show('connect-error', Boolean(error));
  if (error) return;
  $('token').value = '';
  await act(messages.CONNECT, { server, token });
}

async function onStart(event) {
  event.preventDefault();
  const tabId = await tabToRecord();
  await act(messages.START, { tabId, title: $('title').value });
}

// Return the id of the tab to record: the active one, or, when this page
// is itself open in a tab, the web page the agent was on before it.
async function tabToRecord() {
  const [active] = await chrome.tabs.query({
    active: true,
    lastFocusedWindow: true
  });
  const own = await chrome.tabs.getCurrent();
  if (!own || own.id !== active?.id) return active?.id;
  const others = await chrome.tabs.query({ windowId: own.windowId });
  const previous = others
    .filter((tab) => tab.id !== own.id && /^https?:/.test(tab.url ?? ''))
    .sort((a, b) => (b.lastAccessed ?? 0) - (a.lastAccessed ?? 0));
  return previous[0]?.id;
}

function wire() {
  $('connect-form').addEventListener('submit', onConnect);
  $('start-form').addEventListener('submit', onStart);
  $('pause').addEventListener('click', () => act(messages.PAUSE));
  $('resume').addEventListener('click', () => act(messages.RESUME));
  $('stop').addEventListener('click', () => act(messages.STOP));
  $('disconnect').addEventListener('click', () => act(messages.DISCONNECT));
  $('phases').addEventListener('click', (event) => {
    const phase = event.target.dataset?.phase;
    if (phase) act(messages.MARK_PHASE, { phase });
  });
  $('note-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const note = $('note').value.trim();
    if (!note) return;
    $('note').value = '';
    await act(messages.ADD_NOTE, { note });
  });
  $('steps').addEventListener('click', (event) => {
    const seq = Number(event.target.dataset?.seq);
    if (seq) act(messages.TOGGLE_DROP, { seq });
  });
  $('finish').addEventListener('click', () => act(messages.FINISH));
  $('discard').addEventListener('click', () => {
    if (
      window.confirm('Discard this recording? What was uploaded is deleted.')
    ) {
      act(messages.DISCARD);
    }
  });
  chrome.storage.onChanged.addListener(() => render());
}

wire();
render();
