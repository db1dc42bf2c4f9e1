import { test } from 'node:test';
import assert from 'node:assert/strict';

import { ledgerium, page } from './helpers.js';

const { accessibleName, fieldLabel, findActionable, groupLabel, isSensitive } =
  ledgerium.names;
const { roleOf, selectedOptionLabel, optionOwnerLabel, fieldKind } =
  ledgerium.names;

function named(html, selector = '#target') {
  const { document } = page(html);
  return accessibleName(document.querySelector(selector));
}

test('accessible_name_prefers_aria_labelledby', () => {
  const html =
    '<span id="a">Assign</span><span id="b">to me</span>' +
    '<button id="target" aria-labelledby="a b" aria-label="ignored">X</button>';
  assert.equal(named(html), 'Assign to me');
});

test('accessible_name_uses_aria_label_over_text', () => {
  assert.equal(
    named('<a id="target" href="/x" aria-label="Close ticket">×</a>'),
    'Close ticket'
  );
});

test('accessible_name_reads_visible_text_collapsed', () => {
  assert.equal(
    named('<button id="target">\n  Save\n  <b>and close</b> </button>'),
    'Save and close'
  );
});

test('accessible_name_skips_hidden_text', () => {
  const html =
    '<button id="target"><span aria-hidden="true">★</span>Favourite</button>';
  assert.equal(named(html), 'Favourite');
});

test('accessible_name_falls_back_to_title_then_alt', () => {
  assert.equal(
    named('<button id="target" title="Refresh"></button>'),
    'Refresh'
  );
  assert.equal(
    named('<a id="target" href="/"><img src="x.png" alt="Home"></a>'),
    'Home'
  );
});

test('accessible_name_of_icon_only_button_comes_from_its_icon', () => {
  assert.equal(
    named(
      '<button id="target"><i class="fa fa-solid fa-trash-can"></i></button>'
    ),
    'trash can'
  );
  assert.equal(
    named('<button id="target"><svg><title>Settings</title></svg></button>'),
    'Settings'
  );
});

test('accessible_name_of_input_button_is_its_value', () => {
  assert.equal(
    named('<input id="target" type="submit" value="Resolve">'),
    'Resolve'
  );
});

test('field_label_comes_from_label_element', () => {
  const { document } = page(
    '<label for="s">Short description</label><input id="s">'
  );
  assert.equal(fieldLabel(document.querySelector('#s')), 'Short description');
});

test('field_label_of_wrapped_select_excludes_its_options', () => {
  const { document } = page(
    '<label>Severity <select id="s"><option>1 - Critical</option></select></label>'
  );
  assert.equal(fieldLabel(document.querySelector('#s')), 'Severity');
});

test('field_label_falls_back_to_humanized_name', () => {
  const { document } = page('<input name="caller_phoneNumber">');
  assert.equal(
    fieldLabel(document.querySelector('input')),
    'caller phone Number'
  );
});

test('group_label_of_radio_is_the_fieldset_legend', () => {
  const { document } = page(
    '<fieldset><legend>Impact</legend><label><input type="radio" name="i" id="r"> High</label></fieldset>'
  );
  const radio = document.querySelector('#r');
  assert.equal(groupLabel(radio), 'Impact');
  assert.equal(accessibleName(radio), 'High');
});

test('find_actionable_climbs_to_the_button', () => {
  const { document } = page(
    '<button id="b"><span id="inner">Go</span></button>'
  );
  const inner = document.querySelector('#inner');
  const found = findActionable([inner, inner.parentElement, document.body]);
  assert.equal(found.element.id, 'b');
  assert.equal(found.kind, 'action');
});

test('find_actionable_ignores_text_fields_and_plain_text', () => {
  const { document } = page('<p id="p">Just text</p><input id="i">');
  assert.equal(
    findActionable([document.querySelector('#p'), document.body]),
    null
  );
  assert.equal(
    findActionable([document.querySelector('#i'), document.body]),
    null
  );
});

test('find_actionable_takes_rows_only_in_grids_or_scripted', () => {
  const { document } = page(
    '<table><tr id="plain"><td id="c1">1</td></tr></table>' +
      '<table role="grid"><tr id="grid"><td id="c2">2</td></tr></table>'
  );
  const path = (id) => {
    const cell = document.querySelector(id);
    return [cell, cell.parentElement];
  };
  assert.equal(findActionable(path('#c1')), null);
  assert.equal(findActionable(path('#c2')).element.id, 'grid');
});

test('find_actionable_sees_into_open_shadow_roots', () => {
  const window = page('<div id="host"></div>');
  const host = window.document.querySelector('#host');
  const root = host.attachShadow({ mode: 'open' });
  root.innerHTML =
    '<div role="button" aria-label="Acknowledge alert"><span>✓</span></div>';
  const span = root.querySelector('span');
  const found = findActionable([span, span.parentElement, root, host]);
  assert.equal(accessibleName(found.element), 'Acknowledge alert');
  assert.equal(roleOf(found.element), 'button');
});

test('find_actionable_marks_aria_options_as_choices', () => {
  const { document } = page(
    '<label id="l">Assignment group</label><input role="combobox" aria-labelledby="l" aria-controls="list">' +
      '<ul role="listbox" id="list"><li role="option" id="o">Network Ops</li></ul>'
  );
  const option = document.querySelector('#o');
  const found = findActionable([option, option.parentElement]);
  assert.equal(found.kind, 'option');
  assert.equal(optionOwnerLabel(option), 'Assignment group');
});

test('selected_option_label_reads_the_chosen_option', () => {
  const { document } = page(
    '<select id="s"><option value="1">1 - Critical</option><option value="2" selected>2 - High</option></select>'
  );
  assert.equal(selectedOptionLabel(document.querySelector('#s')), '2 - High');
  assert.equal(fieldKind(document.querySelector('#s')), 'select');
});

test('is_sensitive_catches_passwords_codes_and_cards', () => {
  const { document } = page(
    '<input id="a" type="password"><input id="b" autocomplete="one-time-code">' +
      '<input id="c" name="card_number"><input id="d" name="api_key"><input id="e" name="summary">'
  );
  const sensitive = (id) => isSensitive(document.querySelector(id));
  assert.deepEqual(['#a', '#b', '#c', '#d', '#e'].map(sensitive), [
    true,
    true,
    true,
    true,
    false
  ]);
});

test('mask_typed_replaces_echoed_values_longest_first', () => {
  const { maskTyped } = ledgerium.names;
  assert.equal(
    maskTyped('Search for “vpn paris office”', ['vpn', 'vpn paris office']),
    'Search for “[typed text]”'
  );
  assert.equal(maskTyped('Save', ['ab', '']), 'Save');
});

test('find_actionable_takes_scripted_elements_with_onclick', () => {
  const { document } = page(
    '<div id="d" onclick="go()"><span id="s">Open KB0010042</span></div>'
  );
  const span = document.querySelector('#s');
  const found = findActionable([span, span.parentElement, document.body]);
  assert.equal(found.element.id, 'd');
  assert.equal(accessibleName(found.element), 'Open KB0010042');
});

test('find_actionable_takes_the_outermost_pointer_element', () => {
  const { document } = page(
    '<div id="card" class="tile"><span id="t">Reassign</span></div>'
  );
  const text = document.querySelector('#t');
  const card = document.querySelector('#card');
  const path = [text, card, document.body, document.documentElement];
  const pointer = new Set([text, card]);
  const cursorOf = (node) => (pointer.has(node) ? 'pointer' : 'auto');
  assert.equal(findActionable(path, { cursorOf }).element.id, 'card');
  assert.equal(findActionable(path), null);
});

test('find_actionable_leaves_labels_to_their_fields', () => {
  const { document } = page(
    '<label id="l" onclick="x()">Major <input type="checkbox"></label>'
  );
  const label = document.querySelector('#l');
  assert.equal(findActionable([label, document.body]), null);
});
