// VerificationCache: results served only while the caller's clock is not past the collateral
// expiry (inclusive bound), least recently used evicted first, capacity 0 disables caching.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { VerificationCache } from '../../src/dcap/verification-cache.ts';

const T0 = new Date('2026-01-01T00:00:00Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);

describe('VerificationCache', () => {
  test('keyOf is SHA-256 of the quote bytes (equal bytes, equal key)', () => {
    const quote = Buffer.from('quote bytes');
    assert.equal(VerificationCache.keyOf(quote), createHash('sha256').update(quote).digest('hex'));
    assert.equal(VerificationCache.keyOf(Buffer.from(quote)), VerificationCache.keyOf(quote));
    assert.notEqual(VerificationCache.keyOf(Buffer.from('quote bytez')), VerificationCache.keyOf(quote));
  });

  test('an entry is served up to and including its expiry instant, then dropped', () => {
    const cache = new VerificationCache<string>(10);
    cache.set('a', 'verified', at(1000));
    assert.equal(cache.get('a', T0), 'verified');
    assert.equal(cache.get('a', at(1000)), 'verified', 'exactly at the expiry');
    assert.equal(cache.get('a', at(1001)), undefined, 'one millisecond after');
    assert.equal(cache.size, 0, 'the expired entry is removed');
    assert.equal(cache.get('a', T0), undefined, 'and not served to an earlier clock afterwards');
    assert.equal(cache.get('missing', T0), undefined);
  });

  test('the least recently used entry is evicted; a get refreshes recency', () => {
    const cache = new VerificationCache<number>(2);
    cache.set('a', 1, at(10_000));
    cache.set('b', 2, at(10_000));
    assert.equal(cache.get('a', T0), 1); // a is now the most recent
    cache.set('c', 3, at(10_000));
    assert.equal(cache.size, 2);
    assert.equal(cache.get('b', T0), undefined, 'b was least recently used');
    assert.equal(cache.get('a', T0), 1);
    assert.equal(cache.get('c', T0), 3);
  });

  test('setting a key again replaces its value and expiry without growing the cache', () => {
    const cache = new VerificationCache<string>(2);
    cache.set('a', 'old', at(10));
    cache.set('b', 'other', at(10_000));
    cache.set('a', 'new', at(10_000));
    assert.equal(cache.size, 2);
    assert.equal(cache.get('a', at(5000)), 'new');
    cache.set('c', 'third', at(10_000));
    assert.equal(cache.get('b', T0), undefined, 're-set a counted as recent use, so b went');
  });

  test('capacity 0 stores nothing; clear() empties the cache', () => {
    const disabled = new VerificationCache<string>(0);
    disabled.set('a', 'x', at(1000));
    assert.equal(disabled.size, 0);
    assert.equal(disabled.get('a', T0), undefined);
    const cache = new VerificationCache<string>(3);
    cache.set('a', 'x', at(1000));
    cache.set('b', 'y', at(1000));
    cache.clear();
    assert.equal(cache.size, 0);
    assert.equal(cache.get('a', T0), undefined);
  });

  for (const capacity of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    test(`capacity ${capacity} is refused`, () => {
      assert.throws(() => new VerificationCache(capacity), { name: 'RangeError', message: 'cache size must be a non-negative integer' });
    });
  }
});
