import { test } from 'node:test';
import assert from 'node:assert/strict';

import { ledgerium } from './helpers.js';

const {
  nextBatch,
  backoffDelay,
  classify,
  ackedAfter,
  clockOffset,
  BATCH_EVENTS,
  BATCH_BYTES
} = ledgerium.upload;
const events = (count, extra = {}) =>
  Array.from({ length: count }, (_, i) => ({
    seq: i + 1,
    ts: 1,
    type: 'click',
    ...extra
  }));

test('next_batch_takes_events_after_the_acknowledged_seq_in_order', () => {
  const shuffled = events(5).reverse();
  assert.deepEqual(
    nextBatch(shuffled, 2).map((event) => event.seq),
    [3, 4, 5]
  );
});

test('next_batch_stops_at_the_event_limit', () => {
  const batch = nextBatch(events(BATCH_EVENTS + 20), 0);
  assert.equal(batch.length, BATCH_EVENTS);
  assert.equal(batch.at(-1).seq, BATCH_EVENTS);
});

test('next_batch_stops_below_the_byte_limit', () => {
  const big = events(20, { note: 'x'.repeat(100 * 1024) });
  const batch = nextBatch(big, 0);
  assert.ok(JSON.stringify({ events: batch }).length <= BATCH_BYTES);
  assert.equal(batch.length, 8);
});

test('next_batch_is_empty_when_all_are_acknowledged', () => {
  assert.deepEqual(nextBatch(events(3), 3), []);
});

test('backoff_delay_doubles_up_to_the_ceiling', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5, 9].map((attempt) => backoffDelay(attempt)),
    [3000, 6000, 12000, 24000, 30000, 30000]
  );
});

test('backoff_delay_spreads_by_a_fifth_at_most', () => {
  assert.equal(backoffDelay(3, 0), 9600);
  assert.equal(backoffDelay(3, 0.999999), 14400);
  assert.equal(backoffDelay(1, 0), 3000);
});

test('classify_tells_retry_from_reconnect_and_rejection', () => {
  const verdicts = [
    200, 201, 204, 0, 429, 500, 503, 401, 403, 404, 409, 400, 413
  ].map(classify);
  assert.deepEqual(verdicts, [
    'ok',
    'ok',
    'ok',
    'retry',
    'retry',
    'retry',
    'retry',
    'reconnect',
    'reconnect',
    'missing',
    'conflict',
    'rejected',
    'rejected'
  ]);
});

test('acked_after_steps_back_to_the_first_missing_range', () => {
  assert.equal(ackedAfter(40, []), 40);
  assert.equal(
    ackedAfter(40, [
      [12, 15],
      [30, 30]
    ]),
    11
  );
  assert.equal(ackedAfter(40, [[1, 3]]), 0);
});

const SERVER_SECOND = Date.parse('Fri, 04 Dec 2026 10:35:27 GMT');

test('clock_offset_is_zero_for_a_client_in_the_middle_of_the_servers_second', () => {
  const offset = clockOffset({
    sentAt: SERVER_SECOND + 400,
    receivedAt: SERVER_SECOND + 600,
    serverDate: 'Fri, 04 Dec 2026 10:35:27 GMT'
  });
  assert.equal(offset, 0);
});

test('clock_offset_is_positive_for_a_client_clock_behind_the_server', () => {
  // The client reads 90 s earlier than the server; the trip takes 40 ms.
  const sentAt = SERVER_SECOND - 90000 + 480;
  const offset = clockOffset({
    sentAt,
    receivedAt: sentAt + 40,
    serverDate: 'Fri, 04 Dec 2026 10:35:27 GMT'
  });
  assert.equal(offset, 90000);
});

test('clock_offset_is_negative_for_a_client_clock_ahead_of_the_server', () => {
  const sentAt = SERVER_SECOND + 3_600_000 + 300;
  const offset = clockOffset({
    sentAt,
    receivedAt: sentAt + 400,
    serverDate: 'Fri, 04 Dec 2026 10:35:27 GMT'
  });
  assert.equal(offset, -3_600_000);
});

test('clock_offset_stays_within_what_the_server_accepts', () => {
  const offset = clockOffset({
    sentAt: SERVER_SECOND - 3 * 86400000,
    receivedAt: SERVER_SECOND - 3 * 86400000,
    serverDate: 'Fri, 04 Dec 2026 10:35:27 GMT'
  });
  assert.equal(offset, 86400000);
});

test('clock_offset_is_null_without_a_usable_date', () => {
  const times = { sentAt: SERVER_SECOND, receivedAt: SERVER_SECOND + 10 };
  assert.equal(clockOffset({ ...times, serverDate: null }), null);
  assert.equal(clockOffset({ ...times, serverDate: 'yesterday-ish' }), null);
  assert.equal(
    clockOffset({
      sentAt: SERVER_SECOND + 10,
      receivedAt: SERVER_SECOND,
      serverDate: 'Fri, 04 Dec 2026 10:35:27 GMT'
    }),
    null
  );
});

test('browser_name_comes_from_the_client_hints_brand_and_platform', () => {
  const hints = {
    brands: [
      { brand: 'Not_A Brand', version: '24' },
      { brand: 'Chromium', version: '142' },
      { brand: 'Google Chrome', version: '142' }
    ],
    platform: 'Linux'
  };
  assert.equal(
    ledgerium.upload.browserName(hints, 'Mozilla/5.0'),
    'Google Chrome 142 on Linux'
  );
  assert.equal(
    ledgerium.upload.browserName({
      brands: [{ brand: 'Chromium', version: '150' }],
      platform: ''
    }),
    'Chromium 150'
  );
});

test('browser_name_falls_back_to_the_whole_user_agent_without_hints', () => {
  const agent =
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36';
  assert.equal(ledgerium.upload.browserName(undefined, agent), agent);
});
