/** Pooled random ids: right length, independent copies, no repeats across pool refills. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomIdBytes } from '../../src/wire/random-id-pool.ts';

test('ids are fresh, independent and never repeat across refills', () => {
  const seen = new Set<string>();
  for (let index = 0; index < 1000; index++) {
    const id = randomIdBytes(32);
    assert.equal(id.length, 32);
    assert.ok(!seen.has(id.toString('hex')));
    seen.add(id.toString('hex'));
  }
  const kept = randomIdBytes(8);
  const copy = Buffer.from(kept);
  randomIdBytes(4096);
  assert.deepEqual(kept, copy, 'a returned id is not overwritten by later draws');
  assert.equal(randomIdBytes(10_000).length, 10_000);
});
