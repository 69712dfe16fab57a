import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesPerSource, decodeVlq } from './sourceMapBytes.mjs';

test('decodes Base64 VLQ segments, signs and continuations included', () => {
  assert.deepEqual(decodeVlq('AAgBC'), [0, 0, 16, 1]);
  assert.deepEqual(decodeVlq('D'), [-1]);
  assert.deepEqual(decodeVlq('2HwBA'), [123, 24, 0]);
  assert.throws(() => decodeVlq('A*'), /not Base64 VLQ/);
});

test('attributes each segment up to the next one, and glue to nobody', () => {
  const map = {
    version: 3,
    sources: ['a.js', 'b.js'],
    // Line 1: a.js from column 0, b.js from column 4; line 2: a segment
    // without a source; line 3: b.js (the source index carries over) from 1.
    mappings: 'AAAA,ICAA;A;CAAA',
  };
  const totals = bytesPerSource('abc;déf\nxy\n(z)', map);
  assert.deepEqual(Object.fromEntries(totals), {
    'a.js': 4,
    // é is two bytes in UTF-8.
    'b.js': 6,
    null: 3,
  });
});
