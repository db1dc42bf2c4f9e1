// Upload the stored events in sequence-numbered batches, retrying with
// backoff from a chrome.alarms alarm, which outlives a stopped worker.
import './lib/upload.js';
import './lib/messages.js';
import { read, readEvents, serialised, updateRecording } from './sw-store.js';
import { recordingClose } from './sw-recording.js';

const { upload, storageKeys } = globalThis.ledgerium;
export const UPLOAD_ALARM = 'upload';
const REQUEST_TIMEOUT_MS = 20000;
// Each step of an upload answers one of these.
const OK = { outcome: 'ok' };
const AGAIN = { outcome: 'again' };
const DONE = { outcome: 'done' };
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
    const result = await step(api, recording);
    if (result.outcome === 'done') break;
    if (result.outcome === 'again') {
      again = true;
      return;
    }
    if (result.outcome !== 'ok') return handleFailure(api, result);
  }
  await chrome.alarms.clear(UPLOAD_ALARM);
}

function failed(answer) {
  return { outcome: upload.classify(answer.status), answer };
}

async function discard(api, recording, outcome = 'discarded') {
  if (recording.created) {
    const answer = await api.call('DELETE', `recordings/${recording.id}/`);
    const gone =
      answer.status === 404 || errorCode(answer) === 'recording_discarded';
    if (!gone && upload.classify(answer.status) !== 'ok') return failed(answer);
  }
  await recordingClose({ id: recording.id, outcome });
  return DONE;
}

async function create(api, recording) {
  if (recording.created) return OK;
  const measured = await measureClockOffset(api, recording);
  if (measured.outcome !== 'ok') return measured;
  const answer = await api.call('POST', 'recordings/', {
    id: recording.id,
    title: recording.title,
    kind: 'incident',
    client: {
      name: 'ledgerium-extension',
      version: chrome.runtime.getManifest().version,
      browser: upload.browserName(navigator.userAgentData, navigator.userAgent)
    },
    started_at: recording.startedAt,
    clock_offset_ms: recording.clockOffsetMs
  });
  if (errorCode(answer) === 'recording_discarded') {
    // Discarded on the server, from the web app: nothing is left to send.
    await recordingClose({ id: recording.id, outcome: 'discarded' });
    return DONE;
  }
  if (upload.classify(answer.status) !== 'ok') return failed(answer);

  await updateRecording((current) => {
    current.created = true;
  });
  recording.created = true;
  return OK;
}

// Measure the clock offset sent on create once, and keep it: the server
// refuses a repeated create with another offset. A server that sends no
// Date header gets 0.
async function measureClockOffset(api, recording) {
  if (Number.isInteger(recording.clockOffsetMs)) return OK;
  const answer = await api.call('GET', 'recordings/?limit=1');
  if (upload.classify(answer.status) !== 'ok') return failed(answer);

  const offset = upload.clockOffset(answer) ?? 0;
  await updateRecording((current) => {
    current.clockOffsetMs = offset;
  });
  recording.clockOffsetMs = offset;
  return OK;
}

async function sendEvents(api, recording) {
  let acked = recording.ackedThrough;
  let stalls = 0;
  for (;;) {
    const batch = upload.nextBatch(await readEvents(), acked);
    if (!batch.length) return OK;
    await setUpload({ state: 'uploading' });
    const path = `recordings/${recording.id}/events/`;
    const answer = await api.call('POST', path, { events: batch });
    if (answer.status === 404) {
      // The server does not know the recording (yet): create it again.
      await updateRecording((current) => {
        current.created = false;
      });
      return AGAIN;
    }
    if (upload.classify(answer.status) !== 'ok') return failed(answer);

    const next = upload.ackedAfter(batch.at(-1).seq, answer.body?.missing);
    stalls = next > acked ? 0 : stalls + 1;
    if (stalls >= 3) {
      const error = 'The server keeps asking for the same events.';
      return { outcome: 'rejected', answer: { ...answer, error } };
    }
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
    return OK;
  }
  const answer = await api.call('POST', `recordings/${recording.id}/finish/`, {
    finished_at: current.finishedAt,
    last_seq: current.nextSeq - 1,
    gaps_final: false,
    dropped: current.dropped,
    privacy: current.privacy
  });
  const missing = answer.body?.error?.missing;
  if (errorCode(answer) === 'recording_incomplete' && Array.isArray(missing)) {
    // The server lost events it had acknowledged: send them again.
    await updateRecording((latest) => {
      latest.ackedThrough = upload.ackedAfter(latest.ackedThrough, missing);
    });
    return AGAIN;
  }
  if (errorCode(answer) === 'recording_empty') {
    // Nothing was recorded, or every step was dropped in review: a recording
    // without events documents nothing, so it is deleted on both sides.
    return discard(api, recording, 'empty');
  }
  if (upload.classify(answer.status) !== 'ok') return failed(answer);

  // The recording's page leads the agent to the workflow written from it,
  // with its progress, or says why none was.
  await recordingClose({
    id: recording.id,
    outcome: 'finished',
    server: api.server,
    page: answer.body?.page_url ?? null
  });
  return OK;
}

async function handleFailure(api, { outcome, answer }) {
  const lastError = answer.error || describeAnswer(answer);
  if (outcome === 'reconnect') {
    await markReconnect(api.token);
    return setUpload({ state: 'reconnect', lastError });
  }

  const recording = await setUpload({ lastError });
  const attempt = (recording?.upload.attempt ?? 0) + 1;
  const delay = upload.backoffDelay(attempt, Math.random());
  let state = 'rejected';
  if (outcome === 'retry') state = answer.status ? 'server-error' : 'offline';
  await setUpload({ state, attempt, nextAt: Date.now() + delay });
  await chrome.alarms.create(UPLOAD_ALARM, { when: Date.now() + delay });
}

function errorCode(answer) {
  return answer.body?.error?.code ?? '';
}

function describeAnswer(answer) {
  const text = String(answer.body?.error?.message ?? '');
  return `HTTP ${answer.status}${text ? `: ${text.slice(0, 300)}` : ''}`;
}

// Ask for a new token, unless the agent already gave one while the
// refused request was on its way.
function markReconnect(token) {
  return serialised(async () => {
    const stored = await read(storageKeys.CONNECTION);
    const connection = stored[storageKeys.CONNECTION];
    if (connection?.token !== token) return;
    await chrome.storage.local.set({
      [storageKeys.CONNECTION]: { ...connection, needsReconnect: true }
    });
  });
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

  // Return {status, body, serverDate, sentAt, receivedAt}; status 0 when
  // the server could not be reached.
  async call(method, path, body) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    const sentAt = Date.now();
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
      const receivedAt = Date.now();
      return {
        status: response.status,
        body: parseJson(await response.text()),
        serverDate: response.headers.get('Date'),
        sentAt,
        receivedAt
      };
    } catch (error) {
      const reason = `The server could not be reached (${error.name}).`;
      return { status: 0, body: null, error: reason };
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
