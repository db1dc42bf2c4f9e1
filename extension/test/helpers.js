import { JSDOM } from 'jsdom';

import '../lib/messages.js';
import '../lib/redact.js';
import '../lib/events.js';
import '../lib/names.js';
import '../lib/navigation.js';
import '../lib/upload.js';
import '../lib/connect.js';

export const ledgerium = globalThis.ledgerium;

// Return a jsdom document holding `html`, at a web address.
export function page(html, url = 'https://itsm.example.test/incident/new') {
  return new JSDOM(`<!doctype html><html><body>${html}</body></html>`, { url })
    .window;
}
