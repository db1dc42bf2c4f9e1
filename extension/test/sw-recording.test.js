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

const { addSkippedFields, recordEvent, recordTabOpened, recordingStart } =
  await import('../sw-recording.js');
const { readEvents, serialised } = await import('../sw-store.js');

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

const SERVER = 'https://ledgerium.example.test';
const ledgeriumPage = {
  type: 'navigation',
  origin: SERVER,
  path: '/dashboard/',
  title: 'Dashboard · Ledgerium'
};

async function connectedRecording() {
  await freshRecording();
  await chrome.storage.local.set({
    connection: { server: SERVER, token: 'ldg_x', needsReconnect: false }
  });
}

test('pages_of_the_connected_server_are_never_recorded', async () => {
  await connectedRecording();
  const from = { tabId: RECORDED_TAB, fromTab: true };
  await recordEvent(ledgeriumPage, { ...from, captureId: 'dashboard' });
  await recordEvent(
    { type: 'click', origin: SERVER, path: '/workflows/1/', name: 'Map' },
    { ...from, captureId: 'map' }
  );
  await recordEvent(navigation, { ...from, captureId: 'monitoring' });
  await recordEvent({ type: 'tab_switched', ...ledgeriumPage }, from);

  const recorded = await readEvents();
  assert.deepEqual(
    recorded.map((event) => [event.seq, event.type, event.origin]),
    [[1, 'navigation', 'https://monitoring.example.test']]
  );
});

test('the_same_host_on_another_port_is_recorded', async () => {
  await connectedRecording();
  await recordEvent(
    { ...ledgeriumPage, origin: `${SERVER}:8443` },
    { tabId: RECORDED_TAB, fromTab: true }
  );

  assert.equal((await readEvents()).length, 1);
});

test('a_ledgerium_tab_opened_from_a_recorded_tab_is_followed_but_not_a_step', async () => {
  await connectedRecording();
  const ledgeriumTab = { ...newTab, url: `${SERVER}/dashboard/` };
  await recordTabOpened(ledgeriumTab);
  await recordEvent(ledgeriumPage, {
    tabId: ledgeriumTab.id,
    fromTab: true,
    tab: ledgeriumTab
  });

  assert.deepEqual(await readEvents(), []);
  await recordEvent(navigation, { tabId: ledgeriumTab.id, fromTab: true });
  assert.deepEqual(
    (await readEvents()).map((event) => [event.type, event.tab]),
    [['navigation', 8]]
  );
});

test('after_a_restart_a_ledgerium_tab_is_not_the_one_adopted', async () => {
  await connectedRecording();
  const recording = stored.get('recording');
  stored.set('recording', { ...recording, tabs: [], adoptTab: true });
  await recordEvent(ledgeriumPage, { tabId: 20, fromTab: true });
  await recordEvent(navigation, { tabId: 21, fromTab: true });

  assert.deepEqual(
    (await readEvents()).map((event) => event.tab),
    [21]
  );
  assert.deepEqual(stored.get('recording').tabs, [21]);
});

test('a_frame_of_a_ledgerium_page_reports_nothing_whatever_its_address', async () => {
  await connectedRecording();
  const from = { tabId: RECORDED_TAB, fromTab: true, page: SERVER };
  await recordEvent({ type: 'click', origin: 'about:', name: 'Map' }, from);
  await addSkippedFields(['Password'], { page: SERVER });

  assert.deepEqual(await readEvents(), []);
  assert.deepEqual(stored.get('recording').privacy.skipped_fields, []);
});

test('an_event_joins_the_storage_queue_when_it_comes', async () => {
  await connectedRecording();
  const recorded = recordEvent(navigation, { tabId: RECORDED_TAB });
  const seen = serialised(async () => (await readEvents()).length);

  await recorded;
  assert.equal(await seen, 1);
});
