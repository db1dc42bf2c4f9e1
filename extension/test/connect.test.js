import { test } from 'node:test';
import assert from 'node:assert/strict';

import { ledgerium } from './helpers.js';

const {
  checkConnectRequest,
  normaliseServer,
  isToken,
  onServer,
  pageOnServer,
  senderMayConnect
} = ledgerium.connect;
const token = 'ldg_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v';
const request = (overrides = {}) => ({
  data: {
    type: 'ledgerium:connect',
    server: 'https://ledgerium.example.test',
    token
  },
  origin: 'https://ledgerium.example.test',
  fromSameWindow: true,
  pageOrigin: 'https://ledgerium.example.test',
  topFrame: true,
  ...overrides
});

test('check_connect_request_accepts_a_page_connecting_to_itself', () => {
  assert.deepEqual(checkConnectRequest(request()), {
    ok: true,
    server: 'https://ledgerium.example.test',
    token
  });
});

test('check_connect_request_refuses_frames_other_windows_origins_and_servers', () => {
  const reasons = [
    request({ topFrame: false }),
    request({ fromSameWindow: false }),
    request({ origin: 'https://evil.example.test' }),
    request({
      data: {
        type: 'ledgerium:connect',
        server: 'https://evil.example.test',
        token
      }
    }),
    request({
      data: {
        type: 'ledgerium:connect',
        server: 'https://ledgerium.example.test',
        token: 'abc'
      }
    })
  ].map((r) => checkConnectRequest(r).reason);
  assert.deepEqual(reasons, [
    'not-the-top-frame',
    'not-from-this-page',
    'origin-mismatch',
    'server-is-not-this-page',
    'malformed-token'
  ]);
});

test('normalise_server_returns_the_origin_or_null', () => {
  assert.equal(
    normaliseServer(' https://ledgerium.example.test/extension/ '),
    'https://ledgerium.example.test'
  );
  assert.equal(normaliseServer('ftp://x.test'), null);
  assert.equal(normaliseServer('not a url'), null);
});

test('is_token_requires_the_ldg_prefix', () => {
  assert.equal(isToken(token), true);
  assert.equal(isToken('ghp_' + token.slice(4)), false);
});

test('sender_may_connect_lets_a_page_connect_only_its_top_frame_to_itself', () => {
  const server = 'https://ledgerium.example.test';
  const page = { fromPopup: false, frameId: 0, server };
  assert.equal(
    senderMayConnect({ ...page, senderUrl: `${server}/extension/` }),
    true
  );
  assert.equal(
    senderMayConnect({ ...page, senderUrl: 'https://evil.example/x' }),
    false
  );
  assert.equal(
    senderMayConnect({ ...page, frameId: 3, senderUrl: `${server}/x` }),
    false
  );
  assert.equal(senderMayConnect({ ...page, senderUrl: undefined }), false);
  assert.equal(
    senderMayConnect({ fromPopup: true, frameId: 0, senderUrl: '', server }),
    true
  );
});

test('on_server_matches_the_connected_origin_only', () => {
  const server = 'https://ledgerium.example.test';
  assert.equal(onServer('https://ledgerium.example.test', server), true);
  assert.equal(onServer('https://LEDGERIUM.example.test:443/x', server), true);
  assert.equal(onServer('http://ledgerium.example.test', server), false);
  assert.equal(onServer('https://ledgerium.example.test:8443', server), false);
  assert.equal(onServer('https://itsm.example.test', server), false);
  assert.equal(onServer('about:', server), false);
  assert.equal(onServer('https://ledgerium.example.test', null), false);
  assert.equal(onServer(undefined, undefined), false);
});

test('page_on_server_keeps_a_page_of_the_server_and_nothing_else', () => {
  const server = 'https://ledgerium.example.test';
  const page = `${server}/recordings/0b7c9a52-1f7e-4d7c-9a43-3c1f5a6f2b10/`;
  assert.equal(pageOnServer(page, server), page);
  assert.equal(pageOnServer('https://evil.example/r/', server), `${server}/`);
  assert.equal(pageOnServer('javascript:alert(1)', server), `${server}/`);
  assert.equal(pageOnServer(null, server), `${server}/`);
  assert.equal(pageOnServer(page, undefined), null);
});
