/** Tests for the decaying average (e.g. a worker's average query time). */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DecayingAverage } from '../../src/stats/index.ts';
import { ManualClock } from './manual-clock.ts';

describe('DecayingAverage', () => {
  test('is 0 with no history', () => {
    const average = new DecayingAverage(new ManualClock().now);
    assert.equal(average.average(), 0);
    assert.equal(average.weight(), 0);
    assert.equal(average.sum(), 0);
  });

  test('plain average of samples taken at the same time', () => {
    const average = new DecayingAverage(new ManualClock().now);
    average.add(100);
    average.add(300);
    assert.equal(average.average(), 200);
    assert.equal(average.weight(), 2);
    assert.equal(average.sum(), 400);
  });

  test('older samples weigh less than recent ones', () => {
    const clock = new ManualClock();
    const average = new DecayingAverage(clock.now);
    average.add(1000);
    clock.advanceSeconds(600); // one time constant: old sample weighs 1/e
    average.add(0);
    const oldWeight = Math.exp(-1);
    assert.ok(Math.abs(average.average() - (1000 * oldWeight) / (oldWeight + 1)) < 1e-9);
    assert.ok(average.average() < 500);
  });

  test('the average is stable under pure decay while history remains', () => {
    const clock = new ManualClock();
    const average = new DecayingAverage(clock.now);
    average.add(250);
    clock.advanceSeconds(300);
    assert.ok(Math.abs(average.average() - 250) < 1e-9);
  });

  test('history that faded below the minimum weight reads 0', () => {
    const clock = new ManualClock();
    const average = new DecayingAverage(clock.now);
    average.add(250);
    clock.advanceSeconds(600 * Math.log(10) + 1); // weight just below 0.1
    assert.equal(average.average(), 0);
  });

  test('custom period and minimum weight', () => {
    const clock = new ManualClock();
    const average = new DecayingAverage(clock.now, { periodSeconds: 1, minimumWeight: 0 });
    average.add(8);
    clock.advanceSeconds(10);
    assert.ok(Math.abs(average.average() - 8) < 1e-9);
  });
});
