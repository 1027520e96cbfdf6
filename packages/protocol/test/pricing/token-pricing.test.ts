/** Tests of the §5 token adjustment and cost arithmetic against the §17 and golden-frame vectors. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  adjustTokens,
  adjustTokenCount,
  costNanoton,
  reservationTokens,
  DEFAULT_MULTIPLIERS,
} from '../../src/pricing/index.ts';

describe('adjustTokens', () => {
  test('§17 example: coefficient 1500, mainnet prices', () => {
    const adjusted = adjustTokens(
      { promptTokens: 1000, cachedTokens: 200, completionTokens: 500, reasoningTokens: 100 },
      1500,
      DEFAULT_MULTIPLIERS,
    );
    assert.deepEqual(adjusted, { prompt: 1200, cached: 300, completion: 600, reasoning: 150, total: 2250 });
    assert.equal(costNanoton(adjusted.total, 20n), 45_000n);
    assert.equal(costNanoton(adjusted.total, 19n), 42_750n);
    assert.equal(costNanoton(adjusted.total, 20n) - costNanoton(adjusted.total, 19n), 2_250n);
  });

  test('golden frames: benchmark backend usage at coefficient 1000', () => {
    const adjusted = adjustTokens(
      { promptTokens: 34, cachedTokens: 11, completionTokens: 100, reasoningTokens: 10 },
      1000,
      DEFAULT_MULTIPLIERS,
    );
    assert.deepEqual(adjusted, { prompt: 23, cached: 11, completion: 90, reasoning: 10, total: 134 });
  });

  test('multipliers apply per category and floor each', () => {
    const adjusted = adjustTokens(
      { promptTokens: 7, cachedTokens: 3, completionTokens: 9, reasoningTokens: 2 },
      1000,
      { prompt: 15000, cached: 1000, completion: 5000, reasoning: 25000 },
    );
    // 4×1.5=6, 3×0.1=0.3→0, 7×0.5=3.5→3, 2×2.5=5
    assert.deepEqual(adjusted, { prompt: 6, cached: 0, completion: 3, reasoning: 5, total: 14 });
  });

  test('cached above prompt and reasoning above completion clamp to zero', () => {
    const adjusted = adjustTokens(
      { promptTokens: 5, cachedTokens: 8, completionTokens: 1, reasoningTokens: 4 },
      1000,
      DEFAULT_MULTIPLIERS,
    );
    assert.deepEqual(adjusted, { prompt: 0, cached: 8, completion: 0, reasoning: 4, total: 12 });
  });

  test('coefficient 0 bills nothing', () => {
    assert.equal(adjustTokenCount(1234, 0, 10000), 0);
  });

  test('double arithmetic like the reference (0.1 steps)', () => {
    // 3 × 1.1 × 1.0 = 3.3000000000000003 → 3
    assert.equal(adjustTokenCount(3, 1100, 10000), 3);
    assert.equal(adjustTokenCount(10, 1100, 10000), 11);
  });
});

describe('costNanoton', () => {
  test('accepts bigint and number tokens', () => {
    assert.equal(costNanoton(134n, 2n), 268n);
    assert.equal(costNanoton(0, 20n), 0n);
  });
  test('rejects non-integer token counts', () => {
    assert.throws(() => costNanoton(1.5, 20n), RangeError);
  });
});

describe('reservationTokens', () => {
  test('§17 reservation example', () => {
    assert.equal(reservationTokens(1000, 2048, 4000), 12_192);
    assert.equal(costNanoton(reservationTokens(1000, 2048, 4000), 20n), 243_840n);
  });
  test('floors fractional reservations', () => {
    assert.equal(reservationTokens(1, 0, 1500), 1);
  });
});

describe('pricing edges', () => {
  test('negative or zero counts bill nothing, whatever the coefficient', () => {
    for (const count of [0, -1, -1000]) assert.equal(adjustTokenCount(count, 4000, 30000), 0, String(count));
  });

  test('each category is floored on its own, so the total can be below the floored sum of the raw total', () => {
    const adjusted = adjustTokens({ promptTokens: 3, cachedTokens: 1, completionTokens: 3, reasoningTokens: 1 }, 1500, DEFAULT_MULTIPLIERS);
    // 2×1.5=3, 1×1.5=1.5→1, 2×1.5=3, 1×1.5=1.5→1; the unsplit 6×1.5 would be 9
    assert.deepEqual(adjusted, { prompt: 3, cached: 1, completion: 3, reasoning: 1, total: 8 });
  });

  test('costs stay exact beyond 2^53 and 2^64 nanoTON', () => {
    assert.equal(costNanoton(Number.MAX_SAFE_INTEGER, 1000n), BigInt(Number.MAX_SAFE_INTEGER) * 1000n);
    assert.equal(costNanoton(2n ** 64n, 20n), 2n ** 64n * 20n);
    assert.throws(() => costNanoton(Number.MAX_SAFE_INTEGER + 1, 1n), RangeError);
    assert.throws(() => costNanoton(Number.NaN, 1n), RangeError);
  });

  test('a reservation covers the query bytes even without max_tokens, and nothing at coefficient 0', () => {
    assert.equal(reservationTokens(0, 100, 1000), 100);
    assert.equal(reservationTokens(1000, 2048, 0), 0);
    assert.equal(reservationTokens(1, 1, 999), 1, '2 × 0.999 floors to 1');
  });
});
