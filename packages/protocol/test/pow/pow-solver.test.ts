/**
 * The PoW search and check beyond the §17 vectors: the little-endian reading of the hash, the
 * refusal of challenges no nonce can meet, the search from a start nonce up to the end of the
 * 64-bit space, and the async search's slices (it yields to the event loop, stops on abort).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { powHash, powLeadingZeroBits, solvePow, solvePowAsync, verifyPow } from '../../src/pow/index.ts';

const salt = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
const badPow = (error: unknown): boolean => (error as { code?: string }).code === 'CCN_ERR_PROTOCOL_BAD_POW';

describe('powLeadingZeroBits', () => {
  test('reads the first 8 hash bytes as a little-endian uint64', () => {
    const cases: Array<[string, number]> = [
      ['0000000000000080', 0],
      ['0000000000000001', 7],
      ['0000000001000000', 31],
      ['0000000000000000', 64],
      ['ff00000000000000', 56],
      ['0100000000000000', 63],
      ['00000080ffffffff', 0],
    ];
    for (const [hex, bits] of cases) assert.equal(powLeadingZeroBits(Buffer.from(`${hex}${'ee'.repeat(24)}`, 'hex')), bits, hex);
  });
});

describe('verifyPow', () => {
  test('difficulty 0 accepts every nonce; above 64 nothing is accepted', () => {
    for (const nonce of [0n, 1n, 2n ** 64n - 1n]) assert.equal(verifyPow({ difficulty: 0, salt }, nonce), true);
    assert.equal(verifyPow({ difficulty: 65, salt }, 0n), false);
  });

  test('nonces above 2^64 are hashed by their low 64 bits, like the wire carries them', () => {
    assert.deepEqual(powHash(salt, 2n ** 64n + 7n), powHash(salt, 7n));
    assert.deepEqual(powHash(salt, -1n), powHash(salt, 2n ** 64n - 1n));
  });
});

describe('solvePow', () => {
  test('from a start nonce: the answer itself, or the next nonce that meets the difficulty', () => {
    const challenge = { difficulty: 8, salt };
    const first = solvePow(challenge);
    assert.equal(solvePow(challenge, first), first);
    const second = solvePow(challenge, first + 1n);
    assert.ok(second > first);
    for (let nonce = first + 1n; nonce < second; nonce += 1n) assert.equal(verifyPow(challenge, nonce), false);
    assert.equal(powLeadingZeroBits(powHash(salt, second)) >= 8, true);
  });

  test('matches node:crypto on every nonce tried across several salts', () => {
    for (let seed = 1; seed <= 4; seed += 1) {
      const challenge = { difficulty: 6, salt: Buffer.alloc(16, seed * 37) };
      const nonce = solvePow(challenge);
      for (let candidate = 0n; candidate < nonce; candidate += 1n) assert.equal(verifyPow(challenge, candidate), false);
      assert.equal(verifyPow(challenge, nonce), true);
    }
  });

  test('running off the end of the 64-bit space is reported, not wrapped around to 0', () => {
    assert.throws(() => solvePow({ difficulty: 48, salt }, 2n ** 64n - 3n), (error: Error) => badPow(error) && /exhausted/.test(error.message));
    assert.equal(solvePow({ difficulty: 0, salt }, 2n ** 64n - 1n), 2n ** 64n - 1n, 'the very last nonce is still tried');
  });

  test('challenges no nonce can meet are refused before searching', () => {
    for (const difficulty of [-1, 65, 2.5]) assert.throws(() => solvePow({ difficulty, salt }), badPow, String(difficulty));
    assert.throws(() => solvePow({ difficulty: 1, salt: Buffer.alloc(15) }), badPow);
  });
});

describe('solvePowAsync', () => {
  test('lets other work run between slices and finds what the synchronous search finds', async () => {
    const challenge = { difficulty: 16, salt };
    const expected = solvePow(challenge);
    assert.ok(expected > 20_000n, 'the search needs many slices of 1000');
    let otherWorkRan = false;
    setImmediate(() => (otherWorkRan = true));
    assert.equal(await solvePowAsync(challenge, { sliceSize: 1000 }), expected);
    assert.equal(otherWorkRan, true);
  });

  test('an already aborted signal stops it before any search, with the signal’s reason', async () => {
    await assert.rejects(solvePowAsync({ difficulty: 64, salt }, { signal: AbortSignal.abort(new Error('shutting down')) }), /shutting down/);
  });

  test('an abort between two slices stops it at the next slice', async () => {
    const controller = new AbortController();
    const search = solvePowAsync({ difficulty: 64, salt }, { signal: controller.signal, sliceSize: 10 });
    controller.abort(new Error('peer went away')); // the first slice already ran synchronously
    await assert.rejects(search, /peer went away/);
  });

  test('an unsolvable challenge is refused', async () => {
    await assert.rejects(solvePowAsync({ difficulty: 70, salt }), badPow);
  });
});
