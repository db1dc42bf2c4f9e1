import { test } from 'node:test';
import assert from 'node:assert/strict';

import { ledgerium } from './helpers.js';

const { buildEvent, describe, splitUrl, MAX_LENGTHS } = ledgerium.events;
const at = { seq: 7, ts: 1700000000123, tab: 3, frame: 0 };

test('split_url_drops_query_and_fragment', () => {
  assert.deepEqual(
    splitUrl('https://acme.service-now.com/incident.do?sys_id=1#top'),
    {
      origin: 'https://acme.service-now.com',
      path: '/incident.do'
    }
  );
});

test('split_url_keeps_only_the_scheme_of_browser_pages', () => {
  assert.deepEqual(splitUrl('chrome://settings/passwords'), {
    origin: 'chrome://settings',
    path: ''
  });
});

test('split_url_names_data_urls_by_scheme_alone', () => {
  assert.deepEqual(splitUrl('data:text/html,<p>secret</p>'), {
    origin: 'data:',
    path: ''
  });
});

test('build_event_keeps_only_the_fields_of_its_type', () => {
  const { event } = buildEvent(
    {
      type: 'click',
      name: 'Save',
      role: 'button',
      value: 'typed secret',
      origin: 'https://x.test',
      path: '/a'
    },
    at
  );
  assert.deepEqual(event, {
    seq: 7,
    ts: 1700000000123,
    type: 'click',
    tab: 3,
    frame: 0,
    origin: 'https://x.test',
    path: '/a',
    name: 'Save',
    role: 'button'
  });
});

test('build_event_field_edited_never_carries_a_value', () => {
  const { event } = buildEvent(
    {
      type: 'field_edited',
      label: 'Short description',
      value: 'SENTINEL',
      field_kind: 'text'
    },
    at
  );
  assert.equal(event.value, undefined);
  assert.equal(event.label, 'Short description');
});

test('build_event_keeps_a_value_only_for_a_chosen_option', () => {
  const kinds = ['select', 'radio', 'combobox', 'listbox', 'checkbox', 'text'];
  const values = [...kinds, undefined].map(
    (kind) =>
      buildEvent(
        {
          type: 'choice_made',
          label: 'Priority',
          value: '2 - High',
          field_kind: kind
        },
        at
      ).event.value
  );
  assert.deepEqual(values, [
    '2 - High',
    '2 - High',
    '2 - High',
    '2 - High',
    undefined,
    undefined,
    undefined
  ]);
});

test('build_event_redacts_labels_titles_and_choices', () => {
  const { event, counts } = buildEvent(
    {
      type: 'choice_made',
      title: 'Incident for jane@example.com',
      label: 'Caller',
      value: 'John (415) 555-2671',
      field_kind: 'select',
      path: '/users/jane.doe@example.com/profile'
    },
    at
  );
  assert.equal(event.title, 'Incident for [email]');
  assert.equal(event.value, 'John [phone]');
  assert.equal(event.path, '/users/[email]/profile');
  assert.deepEqual(counts, { email: 2, phone: 1 });
});

test('build_event_cuts_long_text_like_the_server', () => {
  const { event } = buildEvent(
    { type: 'note_added', note: 'é'.repeat(2500) },
    at
  );
  assert.equal(Array.from(event.note).length, MAX_LENGTHS.note);
  assert.ok(event.note.endsWith('…'));
  assert.deepEqual(event.truncated, ['note']);
});

test('build_event_refuses_unknown_types', () => {
  assert.throws(
    () => buildEvent({ type: 'keystroke' }, at),
    /Unknown event type: keystroke/
  );
});

test('build_event_drops_invalid_enums', () => {
  const { event } = buildEvent(
    { type: 'navigation', nav: 'teleport', origin: 'https://x.test' },
    at
  );
  assert.equal(event.nav, undefined);
});

test('build_event_marks_have_no_tab', () => {
  const { event } = buildEvent({ type: 'phase_marked', phase: 'triage' }, at);
  assert.deepEqual(event, {
    seq: 7,
    ts: 1700000000123,
    type: 'phase_marked',
    phase: 'triage'
  });
});

test('describe_event_reads_as_a_step', () => {
  assert.equal(
    describe({ type: 'field_edited', label: 'Summary' }),
    'Entered a value in Summary'
  );
  assert.equal(
    describe({
      type: 'choice_made',
      label: 'Severity',
      value: '2 - High',
      field_kind: 'select'
    }),
    'Chose 2 - High for Severity'
  );
  assert.equal(
    describe({
      type: 'choice_made',
      label: 'Major',
      field_kind: 'checkbox',
      checked: false
    }),
    'Unchecked Major'
  );
});
