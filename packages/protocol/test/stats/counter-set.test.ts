/**
 * CounterSet, the `/jsonstats` `stats` object: one decaying counter per declared name, all on
 * one injected clock; names it was not given are ignored rather than invented; the adjusted
 * token categories of a request land in the five `*_adjusted_tokens_used` counters.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADJUSTED_TOKEN_COUNTERS, CounterSet, addAdjustedTokens } from '../../src/stats/index.ts';
import { ManualClock } from './manual-clock.ts';

describe('CounterSet', () => {
  test('json() has every declared name, in order, at zero before anything is counted', () => {
    const set = new CounterSet(new ManualClock().now, ['requests', 'failures'] as const);
    assert.deepEqual(Object.keys(set.json()), ['requests', 'failures']);
    assert.deepEqual(set.json().requests, [0, 0, 0, 0, 0, 0, 0]);
  });

  test('add() counts one by default or the given amount, per name', () => {
    const set = new CounterSet(new ManualClock().now, ['requests', 'failures'] as const);
    set.add('requests');
    set.add('requests', 4);
    set.add('failures');
    assert.deepEqual(set.json(), { requests: [5, 5, 5, 5, 5, 5, 5], failures: [1, 1, 1, 1, 1, 1, 1] });
  });

  test('a name that was not declared is ignored, never added to the output', () => {
    const set = new CounterSet<string>(new ManualClock().now, ['requests']);
    set.add('typo');
    assert.deepEqual(Object.keys(set.json()), ['requests']);
    assert.equal(set.json().requests?.[0], 0);
  });

  test('every counter reads the shared clock: windows decay together, totals stay', () => {
    const clock = new ManualClock();
    const set = new CounterSet(clock.now, ['a', 'b'] as const);
    set.add('a', 100);
    clock.advanceSeconds(10);
    set.add('b', 100);
    const { a, b } = set.json();
    assert.equal(a[0], 100);
    assert.ok(Math.abs(a[2] - 100 / Math.E) < 1e-9, '10 s window of a after 10 s');
    assert.equal(b[2], 100, 'b was added just now');
  });
});

describe('addAdjustedTokens', () => {
  test('each category goes to its own counter', () => {
    const set = new CounterSet(new ManualClock().now, ADJUSTED_TOKEN_COUNTERS);
    addAdjustedTokens(set, { prompt: 1200, cached: 300, completion: 600, reasoning: 150, total: 2250 });
    addAdjustedTokens(set, { prompt: 1, cached: 0, completion: 2, reasoning: 0, total: 3 });
    const totals = Object.fromEntries(Object.entries(set.json()).map(([name, snapshot]) => [name, snapshot[0]]));
    assert.deepEqual(totals, {
      total_adjusted_tokens_used: 2253,
      prompt_adjusted_tokens_used: 1201,
      cached_adjusted_tokens_used: 300,
      completion_adjusted_tokens_used: 602,
      reasoning_adjusted_tokens_used: 150,
    });
  });
});
