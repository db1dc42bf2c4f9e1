import { test } from 'node:test';
import assert from 'node:assert/strict';

import { ledgerium, page } from './helpers.js';

const { isNewPage, pageOf, watchNavigation } = ledgerium.navigation;

function collect(window, options = { settleMs: 0 }) {
  const seen = [];
  const { stop, flush } = watchNavigation(
    window,
    (entry) => seen.push(entry),
    options
  );
  return { seen, stop, flush };
}

const tick = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));

// A stand-in for the Navigation API, which jsdom lacks: the same event
// shape Chromium gives a content script.
function withNavigationApi(window) {
  window.navigation = new window.EventTarget();
  return (
    url,
    navigationType,
    { hashChange = false, sameDocument = true } = {}
  ) => {
    const event = new window.Event('navigate');
    Object.assign(event, {
      navigationType,
      hashChange,
      destination: { url, sameDocument }
    });
    window.navigation.dispatchEvent(event);
  };
}

test('watch_navigation_reports_push_replace_and_traverse', async () => {
  const window = page('');
  const navigate = withNavigationApi(window);
  const { seen } = collect(window);
  navigate('https://itsm.example.test/incident/42?tab=notes', 'push');
  navigate('https://itsm.example.test/incident/42', 'replace');
  navigate('https://itsm.example.test/list', 'traverse');
  navigate('https://itsm.example.test/list#details', 'push', {
    hashChange: true
  });
  await tick();
  assert.deepEqual(
    seen.map(({ href, nav }) => [href, nav]),
    [
      ['https://itsm.example.test/incident/42?tab=notes', 'push'],
      ['https://itsm.example.test/incident/42', 'replace'],
      ['https://itsm.example.test/list', 'pop'],
      ['https://itsm.example.test/list#details', 'hash']
    ]
  );
});

test('watch_navigation_ignores_cross_document_loads', async () => {
  const window = page('');
  const navigate = withNavigationApi(window);
  const { seen } = collect(window);
  navigate('https://other.example.test/', 'push', { sameDocument: false });
  await tick();
  assert.equal(seen.length, 0);
});

test('watch_navigation_without_the_api_uses_popstate_and_hashchange', async () => {
  const window = page('');
  const { seen, stop } = collect(window);
  window.location.hash = '#/incidents';
  await tick(20);
  window.dispatchEvent(new window.PopStateEvent('popstate'));
  await tick();
  assert.deepEqual(
    seen.map(({ nav }) => nav),
    ['hash', 'pop']
  );
  stop();
  window.dispatchEvent(new window.PopStateEvent('popstate'));
  await tick();
  assert.equal(seen.length, 2);
});

test('watch_navigation_reads_the_title_after_it_settles', async () => {
  const window = page('');
  const navigate = withNavigationApi(window);
  const titles = [];
  watchNavigation(window, () => titles.push(window.document.title), {
    settleMs: 10
  });
  navigate('https://itsm.example.test/incident/7', 'push');
  window.document.title = 'INC0000007';
  await tick(30);
  assert.deepEqual(titles, ['INC0000007']);
});

test('watch_navigation_flush_reports_waiting_navigations_at_once', async () => {
  const window = page('');
  const navigate = withNavigationApi(window);
  const { seen, flush } = collect(window, { settleMs: 1000 });
  navigate('https://itsm.example.test/incident/9', 'push');
  assert.equal(seen.length, 0);
  flush();
  assert.deepEqual(
    seen.map(({ nav }) => nav),
    ['push']
  );
  await tick(20);
  assert.equal(seen.length, 1);
});

test('is_new_page_skips_replace_on_the_same_path', () => {
  const last = pageOf('https://x.test/list?page=1', 'List', 'push');
  assert.equal(
    isNewPage(last, pageOf('https://x.test/list?page=2', 'List', 'replace')),
    false
  );
  assert.equal(
    isNewPage(last, pageOf('https://x.test/list?page=2', 'List', 'push')),
    true
  );
  assert.equal(
    isNewPage(last, pageOf('https://x.test/item', 'Item', 'replace')),
    true
  );
  assert.equal(
    isNewPage(last, pageOf('https://x.test/list#a', 'List', 'hash')),
    false
  );
  assert.equal(
    isNewPage(last, pageOf('https://x.test/list#b', 'Details', 'hash')),
    true
  );
});
