/**
 * Model identities `name@revision:hash`: the proxy routes by the base name (before the first `@`),
 * the root contract lists SHA-256 of the full UTF-8 string.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { modelBaseName, modelHash } from '../../src/wire/index.ts';

test('the base name is everything before the first @', () => {
  const cases: Array<[string, string]> = [
    [`Qwen/Qwen3-8B@main:${'a'.repeat(64)}`, 'Qwen/Qwen3-8B'],
    ['tiny-random', 'tiny-random'],
    ['a@b@c', 'a'],
    ['@rev', ''],
    ['', ''],
  ];
  for (const [full, base] of cases) assert.equal(modelBaseName(full), base, full);
});

test('the hash covers the full string as UTF-8, so any change of revision or hash changes it', () => {
  const full = 'Qwen/Qwen3-8B@main:00';
  assert.equal(modelHash(full).toString('hex'), createHash('sha256').update(Buffer.from(full, 'utf8')).digest('hex'));
  assert.equal(modelHash(full).length, 32);
  assert.notDeepEqual(modelHash(full), modelHash('Qwen/Qwen3-8B@main:01'));
  assert.equal(modelHash('modèle').toString('hex'), createHash('sha256').update(Buffer.from('6d6f64c3a86c65', 'hex')).digest('hex'));
});
