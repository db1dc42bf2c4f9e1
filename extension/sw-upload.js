// Upload the stored events in sequence-numbered batches, retrying with
// backoff from a chrome.alarms alarm, which outlives a stopped worker.
import './lib/upload.js';
import './lib/messages.js';
import { read, readEvents, updateRecording } from './sw-store.js';
import { recordingClose } from './sw-recording.js';

const { upload, storageKeys } = globalThis.ledgerium;
export const UPLOAD_ALARM = 'upload';
const REQUEST_TIMEOUT_MS = 20000;
let pumping = false;
let again = false;

// Upload whatever is pending; calls made while one runs fold into it.
export async function pump() {
  if (pumping) {
    again = true;
    return;
  }
  pumping = true;
  try {
    do {
      again = false;
      await pumpOnce();
    } while (again);
  } catch (error) {
    console.warn('Upload stopped: %s', error?.message ?? error);
  } finally {
    pumping = false;
  }
}

async function pumpOnce() {
  const stored = await read(storageKeys.RECORDING, storageKeys.CONNECTION);
  const recording = stored[storageKeys.RECORDING];
  const connection = stored[storageKeys.CONNECTION];
  if (!recording) return chrome.alarms.clear(UPLOAD_ALARM);
  if (!connection?.token || connection.needsReconnect) {
    return setUpload({ state: connection ? 'reconnect' : 'not-connected' });
  }
  const api = new Api(connection);
  const steps = recording.discardRequested
    ? [discard]
    : [create, sendEvents, finish];
  for (const step of steps) {
    const outcome = await step(api, recording);
    if (outcome === 'done') break;
    if (outcome !== 'ok') return handleFailure(outcome);
  }
  await chrome.alarms.clear(UPLOAD_ALARM);
}

async function discard(api, recording) {
  if (recording.created) {
    const answer = await api.call('DELETE', `recordings/${recording.id}/`);
    const verdict = upload.classify(answer.status);
    const gone =
      verdict === 'missing' || errorCode(answer) === 'recording_discarded';
    if (verdict !== 'ok' && !gone) return failure(verdict, answer);
  }
  await recordingClose({ id: recording.id, outcome: 'discarded' });
  return 'ok';
}

async function create(api, recording) {
  if (recording.created) return 'ok';
  const before = Date.now();
  const answer = await api.call('POST', 'recordings/', {
    id: recording.id,
    title: recording.title,
    kind: 'incident',
    client: {
      name: 'ledgerium-extension',
      version: chrome.runtime.getManifest().version,
      browser: navigator.userAgent.slice(0, 200)
    },
    started_at: recording.startedAt
  });
  const verdict = upload.classify(answer.status);
  if (errorCode(answer) === 'recording_discarded') {
    // Discarded on the server (from the web app): nothing left to send.
    await recordingClose({ id: recording.id, outcome: 'discarded' });
    return 'done';
  }
  if (verdict !== 'ok') return failure(verdict, answer);
  const offset = clockOffset(answer.date, before, Date.now());
  await updateRecording((current) => {
    current.created = true;
    current.clockOffsetMs = offset;
  });
  recording.created = true;
  return 'ok';
}

// The server's Date header has one-second precision: good enough to notice
// a client clock that is minutes off, which is what it is for.
function clockOffset(dateHeader, before, after) {
  const server = Date.parse(dateHeader ?? '');
  if (Number.isNaN(server)) return 0;
  const offset = server + 500 - Math.round((before + after) / 2);
  return Math.abs(offset) < 2000
    ? 0
    : Math.max(-86400000, Math.min(86400000, offset));
}

async function sendEvents(api, recording) {
  let acked = recording.ackedThrough;
  let stalls = 0;
  for (;;) {
    const batch = upload.nextBatch(await readEvents(), acked);
    if (!batch.length) return 'ok';
    await setUpload({ state: 'uploading' });
    const answer = await api.call(
      'POST',
      `recordings/${recording.id}/events/`,
      {
        events: batch
      }
    );
    const verdict = upload.classify(answer.status);
    if (verdict === 'missing') {
      await updateRecording((current) => {
        current.created = false;
      });
      return 'again';
    }
    if (verdict !== 'ok') return failure(verdict, answer);
    const next = upload.ackedAfter(batch.at(-1).seq, answer.body?.missing);
    stalls = next > acked ? 0 : stalls + 1;
    if (stalls >= 3)
      return failure('rejected', {
        error: 'The server keeps asking for the same events.'
      });
    acked = next;
    await updateRecording((current) => {
      current.ackedThrough = acked;
      current.upload = { state: 'uploading', attempt: 0, lastError: '' };
    });
  }
}

async function finish(api, recording) {
  const stored = await read(storageKeys.RECORDING);
  const current = stored[storageKeys.RECORDING];
  if (!current?.finishRequested) {
    await setUpload({ state: 'up-to-date', attempt: 0, lastError: '' });
    return 'ok';
  }
  const answer = await api.call('POST', `recordings/${recording.id}/finish/`, {
    finished_at: current.finishedAt,
    last_seq: current.nextSeq - 1,
    gaps_final: false,
    dropped: current.dropped,
    privacy: current.privacy
  });
  const verdict = upload.classify(answer.status);
  const missing = answer.body?.error?.missing;
  if (errorCode(answer) === 'recording_incomplete' && Array.isArray(missing)) {
    // The server lost events it had acknowledged: send them again.
    await updateRecording((latest) => {
      latest.ackedThrough = upload.ackedAfter(latest.ackedThrough, missing);
    });
    return 'again';
  }
  if (verdict !== 'ok') return failure(verdict, answer);
  await recordingClose({
    id: recording.id,
    outcome: 'finished',
    server: api.server
  });
  return 'ok';
}

function failure(verdict, answer) {
  failure.last = answer;
  return verdict;
}

async function handleFailure(outcome) {
  if (outcome === 'again') {
    again = true;
    return;
  }
  const answer = failure.last ?? {};
  const message = answer.error || describeAnswer(answer);
  if (outcome === 'reconnect') {
    await markReconnect();
    return setUpload({ state: 'reconnect', lastError: message });
  }
  const recording = await setUpload({ lastError: message });
  const attempt = (recording?.upload.attempt ?? 0) + 1;
  const delay = upload.backoffDelay(attempt, Math.random());
  await setUpload({
    state:
      outcome === 'retry'
        ? answer.status
          ? 'server-error'
          : 'offline'
        : 'rejected',
    attempt,
    nextAt: Date.now() + delay
  });
  await chrome.alarms.create(UPLOAD_ALARM, { when: Date.now() + delay });
}

function errorCode(answer) {
  return answer.body?.error?.code ?? '';
}

function describeAnswer(answer) {
  const text = String(answer.body?.error?.message ?? '');
  return `HTTP ${answer.status}${text ? `: ${text.slice(0, 300)}` : ''}`;
}

async function markReconnect() {
  const stored = await read(storageKeys.CONNECTION);
  const connection = stored[storageKeys.CONNECTION];
  if (connection) {
    await chrome.storage.local.set({
      [storageKeys.CONNECTION]: { ...connection, needsReconnect: true }
    });
  }
}

function setUpload(changes) {
  return updateRecording((recording) => {
    recording.upload = { ...recording.upload, ...changes };
  });
}

class Api {
  constructor({ server, token }) {
    this.server = server.replace(/\/+$/, '');
    this.base = `${this.server}/api/v1/`;
    this.token = token;
  }

  // Return {status, body, date}; status 0 when the server could not be reached.
  async call(method, path, body) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    try {
      const response = await fetch(this.base + path, {
        method,
        headers: {
          Authorization: `Bearer ${this.token}`,
          Accept: 'application/json',
          ...(body ? { 'Content-Type': 'application/json' } : {})
        },
        body: body ? JSON.stringify(body) : undefined,
        credentials: 'omit',
        cache: 'no-store',
        signal: controller.signal
      });
      const text = await response.text();
      return {
        status: response.status,
        body: parseJson(text),
        date: response.headers.get('Date')
      };
    } catch (error) {
      return {
        status: 0,
        body: null,
        error: `The server could not be reached (${error.name}).`
      };
    } finally {
      clearTimeout(timer);
    }
  }
}

function parseJson(text) {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}
