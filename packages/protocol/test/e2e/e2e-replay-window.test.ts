// The worker's bounded replay memory (§22): time window both ways, seen ids, expiry, and eviction
// that raises the acceptance floor so an evicted id can never be accepted again.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { E2eReplayWindow } from '../../src/index.ts';

describe('e2e replay window', () => {
  test('window both ways and seen ids', () => {
    const window = new E2eReplayWindow({ windowMs: 1000 });
    assert.equal(window.accept('a', 10_000, 10_000), 'ok');
    assert.equal(window.accept('a', 10_000, 10_500), 'seen');
    assert.equal(window.accept('b', 8_999, 10_000), 'stale');
    assert.equal(window.accept('c', 11_001, 10_000), 'stale');
    assert.equal(window.accept('d', 11_000, 10_000), 'ok');
    assert.equal(window.check('e', Number.NaN, 10_000), 'stale');
  });

  test('expired ids are forgotten', () => {
    const window = new E2eReplayWindow({ windowMs: 1000 });
    for (let index = 0; index < 10; index++) window.accept(`id${index}`, 10_000 + index, 10_000 + index);
    assert.equal(window.size, 10);
    window.accept('late', 12_000, 12_000);
    assert.equal(window.size, 1);
  });

  test('when full, the oldest is evicted and can never come back', () => {
    const window = new E2eReplayWindow({ windowMs: 100_000, maxRemembered: 3 });
    assert.equal(window.accept('a', 1_000, 1_000), 'ok');
    assert.equal(window.accept('b', 1_001, 1_001), 'ok');
    assert.equal(window.accept('c', 1_002, 1_002), 'ok');
    assert.equal(window.accept('d', 1_003, 1_003), 'ok');
    assert.equal(window.size, 3);
    assert.equal(window.accept('a', 1_000, 1_004), 'stale');
    // A request created before the floor is refused even if new; one after it passes.
    assert.equal(window.accept('x', 999, 1_004), 'stale');
    assert.equal(window.accept('y', 1_004, 1_004), 'ok');
    assert.equal(window.accept('b', 1_001, 1_005), 'stale');
  });
});
