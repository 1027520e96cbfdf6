// The start-up cleanup stack: newest first, every release runs once even when one fails, a failed
// start-up unwinds what it opened and keeps its own error, and nothing registers after unwinding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CleanupStack } from '@cocoon/protocol';

test('unwind releases newest first, once, and is idempotent', async () => {
  const order: string[] = [];
  const stack = new CleanupStack();
  const server = stack.push({ id: 'server' }, () => void order.push('server'), 'server');
  stack.defer(async () => { await Promise.resolve(); order.push('timer'); }, 'timer');
  assert.equal(server.id, 'server');
  assert.equal(stack.size, 2);
  const first = stack.unwind();
  assert.equal(stack.unwind(), first);
  await first;
  assert.deepEqual(order, ['timer', 'server']);
  assert.equal(stack.size, 0);
});

test('a failing release does not stop the others; the first failure is reported with its name', async () => {
  const order: string[] = [];
  const stack = new CleanupStack();
  stack.defer(() => void order.push('chain'), 'chain');
  stack.defer(() => { throw new Error('disk gone'); }, 'ledger');
  stack.defer(() => { throw new Error('second'); }, 'listener');
  await assert.rejects(stack.unwind(), /releasing listener failed: second/);
  assert.deepEqual(order, ['chain']);
});

test('guard unwinds a failed start-up and rethrows the start-up error, not a release failure', async () => {
  const released: string[] = [];
  const stack = new CleanupStack();
  await assert.rejects(stack.guard(async (steps) => {
    steps.defer(() => void released.push('chain'), 'chain');
    steps.defer(() => { throw new Error('close failed too'); }, 'engine');
    throw new Error('model not registered');
  }), /model not registered/);
  assert.deepEqual(released, ['chain']);
  assert.throws(() => stack.defer(() => undefined, 'late'), /already unwound: cannot register late/);
});

test('guard returns the started value and keeps the stack for close()', async () => {
  const released: string[] = [];
  const stack = new CleanupStack();
  const handle = await stack.guard(async (steps) => {
    steps.defer(() => void released.push('server'), 'server');
    return { ready: true };
  });
  assert.deepEqual(handle, { ready: true });
  assert.deepEqual(released, []);
  await stack.unwind();
  assert.deepEqual(released, ['server']);
});
