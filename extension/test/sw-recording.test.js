import { test } from 'node:test';
import assert from 'node:assert/strict';

import './helpers.js';

// The worker's modules need only chrome.storage.local: keep it in memory.
const stored = new Map();
globalThis.chrome = {
  storage: {
    local: {
      async get(keys) {
        const wanted = keys === null ? [...stored.keys()] : [keys].flat();
        return Object.fromEntries(
          wanted
            .filter((key) => stored.has(key))
            .map((key) => [key, structuredClone(stored.get(key))])
        );
      },
      async set(items) {
        for (const [key, value] of Object.entries(items))
          stored.set(key, structuredClone(value));
      },
      async remove(keys) {
        for (const key of [keys].flat()) stored.delete(key);
      }
    }
  }
};

const { recordEvent, recordTabOpened, recordingStart } =
  await import('../sw-recording.js');
const { readEvents } = await import('../sw-store.js');

const RECORDED_TAB = 7;
const newTab = {
  id: 8,
  openerTabId: RECORDED_TAB,
  active: true,
  url: 'https://monitoring.example.test/vpn?x=1',
  title: ''
};
const navigation = {
  type: 'navigation',
  origin: 'https://monitoring.example.test',
  path: '/vpn',
  title: 'VPN gateway'
};

// Record what the page in `tab` reports, as the message listener does.
function captureFrom(tab) {
  return recordEvent(navigation, {
    tabId: tab.id,
    fromTab: true,
    tab,
    captureId: `capture-${tab.id}`
  });
}

async function freshRecording() {
  stored.clear();
  await recordingStart({ tabId: RECORDED_TAB, title: 'VPN down' });
}

test('a_new_tab_whose_first_capture_beats_the_tab_event_is_opened_first_and_once', async () => {
  await freshRecording();
  await captureFrom(newTab);
  await recordTabOpened(newTab);

  const recorded = await readEvents();
  assert.deepEqual(
    recorded.map((event) => [event.seq, event.type, event.tab]),
    [
      [1, 'tab_opened', 8],
      [2, 'navigation', 8]
    ]
  );
  assert.equal(recorded[0].path, '/vpn');
});

test('a_new_tab_opened_by_the_tab_event_first_records_its_capture_after', async () => {
  await freshRecording();
  await recordTabOpened(newTab);
  await captureFrom(newTab);

  assert.deepEqual(
    (await readEvents()).map((event) => event.type),
    ['tab_opened', 'navigation']
  );
});

test('a_tab_no_recorded_tab_opened_is_refused', async () => {
  await freshRecording();
  const stranger = { ...newTab, id: 9, openerTabId: 3 };
  await captureFrom(stranger);
  await recordTabOpened(stranger);

  assert.deepEqual(await readEvents(), []);
});
