/** Tests for the exponentially decayed `/jsonstats` counters. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DecayingCounter, ExponentialDecay, DECAYING_COUNTER_WINDOWS_SECONDS } from '../../src/stats/index.ts';
import { ManualClock } from './manual-clock.ts';

const close = (actual: number, expected: number, epsilon = 1e-9): void => {
  assert.ok(Math.abs(actual - expected) <= epsilon * Math.max(1, Math.abs(expected)), `${actual} ≉ ${expected}`);
};

describe('ExponentialDecay', () => {
  test('decays by e after one period and keeps adding', () => {
    const clock = new ManualClock();
    const decay = new ExponentialDecay(clock.now, 10);
    decay.add(100);
    close(decay.value(), 100);
    clock.advanceSeconds(10);
    close(decay.value(), 100 / Math.E);
    decay.add(5);
    close(decay.value(), 100 / Math.E + 5);
  });

  test('a clock going backwards decays nothing', () => {
    const clock = new ManualClock();
    const decay = new ExponentialDecay(clock.now, 1);
    decay.add(7);
    clock.advanceSeconds(-5);
    close(decay.value(), 7);
  });

  test('rejects a non-positive period', () => {
    assert.throws(() => new ExponentialDecay(() => 0, 0), RangeError);
  });
});

describe('DecayingCounter', () => {
  test('snapshot is [total, 1s, 10s, 1m, 10m, 1h, 1d] and starts at zeros', () => {
    const counter = new DecayingCounter(new ManualClock().now);
    assert.deepEqual(counter.snapshot(), [0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual([...DECAYING_COUNTER_WINDOWS_SECONDS], [1, 10, 60, 600, 3600, 86400]);
  });

  test('add() defaults to 1 and all windows see it immediately', () => {
    const counter = new DecayingCounter(new ManualClock().now);
    counter.add();
    counter.add(4);
    assert.deepEqual(counter.snapshot(), [5, 5, 5, 5, 5, 5, 5]);
  });

  test('each window decays with its own time constant; total does not decay', () => {
    const clock = new ManualClock();
    const counter = new DecayingCounter(clock.now);
    counter.add(1000);
    clock.advanceSeconds(60);
    const [total, w1s, w10s, w1m, w10m, w1h, w1d] = counter.snapshot();
    assert.equal(total, 1000);
    close(w1s, 1000 * Math.exp(-60));
    close(w10s, 1000 * Math.exp(-6));
    close(w1m, 1000 / Math.E);
    close(w10m, 1000 * Math.exp(-0.1));
    close(w1h, 1000 * Math.exp(-60 / 3600));
    close(w1d, 1000 * Math.exp(-60 / 86400));
    assert.ok(w1s < w10s && w10s < w1m && w1m < w10m && w10m < w1h && w1h < w1d);
  });

  test('a steady rate converges to rate × window seconds', () => {
    const clock = new ManualClock();
    const counter = new DecayingCounter(clock.now);
    for (let second = 0; second < 600; second += 1) {
      counter.add(2); // 2 events per second
      clock.advanceSeconds(1);
    }
    const snapshot = counter.snapshot();
    assert.equal(snapshot[0], 1200);
    // 10 s window: sum of 2·e^(−k/10) for k = 1..∞ ≈ 2 / (e^0.1 − 1) ≈ 19.02 ≈ 2 × 10.
    close(snapshot[2], 2 / (Math.exp(0.1) - 1), 1e-6);
  });
});
