// The upload schedule: which events go in the next batch, how long to wait
// after a failure, and what an answer from the server means. Pure.
(() => {
  const ns = (globalThis.ledgerium ??= {});

  // Below the server's MAX_BATCH_EVENTS and MAX_BATCH_BYTES, with room for
  // the envelope.
  const BATCH_EVENTS = 500;
  const BATCH_BYTES = 900 * 1024;
  // Alarms for an unpacked extension fire after about 3 s at the soonest.
  const BACKOFF_BASE_MS = 3000;
  const BACKOFF_MAX_MS = 30000;

  // Return the events after ackedThrough, in order, that fit in one batch.
  function nextBatch(events, ackedThrough) {
    const pending = events
      .filter((event) => event.seq > ackedThrough)
      .sort((a, b) => a.seq - b.seq);
    const batch = [];
    let bytes = 16;
    for (const event of pending) {
      const size = JSON.stringify(event).length + 1;
      if (
        batch.length &&
        (batch.length >= BATCH_EVENTS || bytes + size > BATCH_BYTES)
      ) {
        break;
      }
      batch.push(event);
      bytes += size;
    }
    return batch;
  }

  // Return the wait before attempt number `attempt` (1 for the first retry),
  // doubling up to a ceiling, spread by up to a fifth so that many recorders
  // coming back online do not retry in step. `random` is in [0, 1).
  function backoffDelay(attempt, random = 0.5) {
    const exponent = Math.max(0, attempt - 1);
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** exponent);
    const spread = base * 0.2 * (random * 2 - 1);
    return Math.round(Math.max(BACKOFF_BASE_MS, base + spread));
  }

  // Return what to do after an HTTP answer; status 0 means no answer.
  function classify(status) {
    if (status >= 200 && status < 300) return 'ok';
    if (status === 401 || status === 403) return 'reconnect';
    if (status === 404) return 'missing';
    if (status === 409) return 'conflict';
    if (status === 0 || status === 408 || status === 429 || status >= 500) {
      return 'retry';
    }
    return 'rejected';
  }

  // Return the highest seq such that everything up to it is on the server,
  // given what was sent and the missing ranges the server reported.
  function ackedAfter(sentThrough, missing) {
    let acked = sentThrough;
    for (const range of missing ?? []) {
      const start = Array.isArray(range)
        ? range[0]
        : (range.start ?? range.from);
      if (Number.isInteger(start)) acked = Math.min(acked, start - 1);
    }
    return Math.max(0, acked);
  }

  // The server accepts an offset of at most a day either way.
  const MAX_CLOCK_OFFSET_MS = 86400000;

  // Return the estimated server time minus client time, in ms, from one
  // answer: `serverDate` is its Date header, which counts whole seconds,
  // and `sentAt`, `receivedAt` the client's clock around the request. The
  // server's clock read somewhere inside the second the header names, at
  // about the middle of the round trip. Return null without a usable date.
  function clockOffset({ sentAt, receivedAt, serverDate }) {
    const second = Date.parse(serverDate ?? '');
    if (!Number.isFinite(second) || !(receivedAt >= sentAt)) return null;
    const offset = Math.round(second + 500 - (sentAt + receivedAt) / 2);
    return Math.max(
      -MAX_CLOCK_OFFSET_MS,
      Math.min(MAX_CLOCK_OFFSET_MS, offset)
    );
  }

  // Name the browser the way a person would ("Google Chrome 142 on Linux"),
  // from the client hints a worker has; the whole user agent says more than
  // the recording needs, and cut short it loses the browser's own token.
  function browserName(hints, userAgent = '') {
    const brands = (hints?.brands ?? []).filter(
      (item) => !/not.?a.?brand/i.test(item.brand)
    );
    const brand =
      brands.find((item) => item.brand !== 'Chromium') ?? brands[0] ?? null;
    if (!brand) return String(userAgent).slice(0, 200);
    const name = `${brand.brand} ${brand.version}`;
    return hints.platform ? `${name} on ${hints.platform}` : name;
  }

  ns.upload = {
    BATCH_EVENTS,
    BATCH_BYTES,
    BACKOFF_BASE_MS,
    BACKOFF_MAX_MS,
    ackedAfter,
    backoffDelay,
    browserName,
    classify,
    clockOffset,
    nextBatch
  };
})();
