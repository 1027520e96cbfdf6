// Root-contract allow-lists (§6.9): every accepted hash spelling normalises to 64 lowercase hex
// characters, anything else is a config error, and a model hash covers the full model string.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { allowedHashes, modelHash, normalizeHash } from '../../src/index.ts';

const HEX = '0123456789abcdef'.repeat(4);

describe('normalizeHash', () => {
  const accepted: Array<[string, Buffer | string | bigint]> = [
    ['32 bytes', Buffer.from(HEX, 'hex')],
    ['lowercase hex', HEX],
    ['uppercase hex', HEX.toUpperCase()],
    ['0x-prefixed hex', `0x${HEX}`],
    ['0X-prefixed hex', `0X${HEX}`],
    ['a 256-bit integer', BigInt(`0x${HEX}`)],
  ];
  for (const [what, value] of accepted) {
    test(`accepts ${what}`, () => assert.equal(normalizeHash(value), HEX));
  }

  test('small integers are left-padded; zero is 64 zeros', () => {
    assert.equal(normalizeHash(1n), `${'0'.repeat(63)}1`);
    assert.equal(normalizeHash(0n), '0'.repeat(64));
    assert.equal(normalizeHash(2n ** 256n - 1n), 'f'.repeat(64));
  });

  const refused: Array<[string, Buffer | string | bigint]> = [
    ['31 bytes', Buffer.alloc(31)],
    ['33 bytes', Buffer.alloc(33)],
    ['63 hex characters', HEX.slice(1)],
    ['65 hex characters', `${HEX}0`],
    ['non-hex characters', `${HEX.slice(2)}zz`],
    ['a double 0x prefix', `0x0x${HEX.slice(4)}`],
    ['surrounding whitespace', ` ${HEX}`],
    ['an integer of 257 bits', 2n ** 256n],
    ['a negative integer', -1n],
    ['the empty string', ''],
  ];
  for (const [what, value] of refused) {
    test(`refuses ${what} with a config error`, () => {
      assert.throws(() => normalizeHash(value), { code: 'CCN_ERR_CONFIG_INVALID', param: 'hash', message: /^hash must be 32 bytes \(64 hex characters\), got / });
    });
  }

  test('the error quotes at most 80 characters of the bad value', () => {
    assert.throws(() => normalizeHash('x'.repeat(500)), (error: Error) => error.message.endsWith(`got "${'x'.repeat(80)}"`));
  });
});

describe('modelHash and allowedHashes', () => {
  test('modelHash is SHA-256 of the UTF-8 model string, so each part of it counts', () => {
    const model = 'Qwen/Qwen3-8B@b968826d:8c2f4e1d';
    assert.deepEqual(modelHash(model), createHash('sha256').update(Buffer.from(model, 'utf8')).digest());
    const variants = [model, 'Qwen/Qwen3-8B@b968826d:8c2f4e1e', 'Qwen/Qwen3-8B@b968826e:8c2f4e1d', 'qwen/Qwen3-8B@b968826d:8c2f4e1d', `${model} `];
    assert.equal(new Set(variants.map((variant) => modelHash(variant).toString('hex'))).size, variants.length);
    assert.equal(modelHash('モデル').length, 32);
  });

  test('allowedHashes normalises every list, merges duplicate spellings and leaves missing lists empty', () => {
    const hashes = allowedHashes({ proxyHashes: [HEX, `0x${HEX.toUpperCase()}`, Buffer.from(HEX, 'hex')], workerHashes: [BigInt(`0x${HEX}`)] });
    assert.deepEqual([...hashes.proxyHashes], [HEX]);
    assert.deepEqual([...hashes.workerHashes], [HEX]);
    assert.equal(hashes.modelHashes.size, 0);
    const fromGenerator = allowedHashes({ modelHashes: (function* () { yield modelHash('a'); yield modelHash('b'); })() });
    assert.equal(fromGenerator.modelHashes.size, 2);
  });

  test('one bad entry refuses the whole list', () => {
    assert.throws(() => allowedHashes({ workerHashes: [HEX, 'abc'] }), { code: 'CCN_ERR_CONFIG_INVALID' });
  });
});
