/** Tests of the sequence pool: FIFO lending, aborted waiters leave the queue, close fails waiters. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LlamaContextSequence } from 'node-llama-cpp';
import { LlamaSequencePool } from '../../../src/engine/llama/llama-sequence-pool.ts';

const fakeSequence = (id: number) => ({ id }) as unknown as LlamaContextSequence;

test('lends idle sequences, queues FIFO, hands back to waiters', async () => {
  const pool = new LlamaSequencePool([fakeSequence(1)]);
  const first = await pool.acquire();
  const order: string[] = [];
  const lendTo = (name: string) => pool.acquire().then((sequence) => {
    order.push(name);
    return sequence;
  });
  const second = lendTo('second');
  const third = lendTo('third');
  assert.equal(pool.busy, 1);
  assert.equal(pool.waiting, 2);
  pool.release(first);
  pool.release(await second);
  pool.release(await third);
  assert.deepEqual(order, ['second', 'third']);
  assert.equal(pool.busy, 0);
});

test('an aborted waiter leaves the queue; close fails the others', async () => {
  const pool = new LlamaSequencePool([fakeSequence(1)]);
  await pool.acquire();
  const controller = new AbortController();
  const aborted = pool.acquire(controller.signal);
  const closed = pool.acquire();
  controller.abort(new Error('gone'));
  await assert.rejects(aborted, /gone/);
  assert.equal(pool.waiting, 1);
  pool.close();
  await assert.rejects(closed, /closed/);
  await assert.rejects(pool.acquire(), /closed/);
});
