import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import '../lib/redact.js';

const { redactText, redactPath, RULES } = globalThis.ledgerium.redact;
const vectors = JSON.parse(
  readFileSync(new URL('../../schema/redaction-vectors.json', import.meta.url))
);

test('redact_rules_match_the_server_order', () => {
  assert.deepEqual(RULES, vectors.rules);
});

for (const [index, vector] of vectors.vectors.entries()) {
  test(`redact_vector_${index}_${vector.field}: ${vector.input.slice(0, 40)}`, () => {
    const redact = vector.field === 'path' ? redactPath : redactText;
    const { text, counts } = redact(vector.input);
    assert.equal(text, vector.expected);
    assert.deepEqual(counts, vector.counts);
  });
}

test('redact_text_is_idempotent_on_its_own_output', () => {
  for (const vector of vectors.vectors.filter((v) => v.field === 'text')) {
    const once = redactText(vector.input).text;
    const twice = redactText(once);
    assert.equal(twice.text, once);
    assert.deepEqual(twice.counts, {});
  }
});
