/**
 * toJsonText, the /jsonstats serializer: bigint amounts (nanoTON, token totals) become plain JSON
 * numbers while they are exact as numbers, and decimal strings beyond 2^53 so nothing is rounded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toJsonText } from '../../src/stats-http/index.ts';

test('safe bigints are numbers, unsafe ones exact strings, at any depth', () => {
  const max = BigInt(Number.MAX_SAFE_INTEGER);
  assert.equal(toJsonText({ a: 0n, b: -5n, c: max, d: max + 1n, e: -(max + 1n) }), `{"a":0,"b":-5,"c":${max},"d":"${max + 1n}","e":"-${max + 1n}"}`);
  assert.equal(toJsonText([{ nested: [2n ** 64n] }]), '[{"nested":["18446744073709551616"]}]');
});

test('everything else is plain JSON', () => {
  const value = { text: 'x', number: 1.5, list: [true, null], skipped: undefined };
  assert.equal(toJsonText(value), JSON.stringify(value));
  assert.deepEqual(JSON.parse(toJsonText({ tokens: 134n })), { tokens: 134 });
});
