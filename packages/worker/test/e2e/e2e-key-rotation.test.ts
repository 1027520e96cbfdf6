/**
 * E2eKeyRotation on a manual clock: published validity (current = rotation + grace ahead; previous = rotation
 * time + grace), which keys open requests when, grace 0, a failed key generation (the current key stays,
 * the next period retries), stop(), and config bounds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateE2eKeyPair } from '@cocoon/protocol';
import { E2eKeyRotation } from '../../src/e2e/index.ts';
import { ManualTime } from './e2e-test-kit.ts';

const seconds = (time: ManualTime): number => Math.floor(time.now / 1000);
/** Resolves at the rotation's next change (its key generation is asynchronous). */
const nextChange = (rotation: E2eKeyRotation): Promise<string> => new Promise((resolve) => {
  const stop = rotation.onChange((change) => {
    stop();
    resolve(change);
  });
});

test('rotation publishes the new key first and keeps the previous one for the grace', async () => {
  const time = new ManualTime();
  const changes: string[] = [];
  const rotation = await E2eKeyRotation.create({ rotationSeconds: 100, graceSeconds: 30, now: () => time.now, timers: time });
  rotation.onChange((change) => changes.push(change));
  rotation.start();
  const [first] = rotation.entries();
  assert.deepEqual([first!.validFrom, first!.validUntil], [seconds(time), seconds(time) + 130]);
  const rotated = nextChange(rotation);
  time.advance(100_000);
  assert.equal(await rotated, 'rotated');
  const [current, previous] = rotation.entries();
  assert.notDeepEqual(current!.pair.hpkePublicKey, first!.pair.hpkePublicKey);
  assert.equal(previous!.pair, first!.pair);
  assert.equal(previous!.validUntil, seconds(time) + 30);
  assert.equal(rotation.keys().length, 2);
  time.advance(30_000);
  assert.equal(rotation.keys().length, 2, 'still valid during its last second');
  time.advance(1_000);
  assert.deepEqual(rotation.keys(), [current!.pair]);
  assert.deepEqual(changes, ['rotated', 'grace-ended']);
  assert.equal(rotation.entries().length, 1);
  rotation.stop();
  time.advance(1_000_000);
  assert.deepEqual(changes, ['rotated', 'grace-ended'], 'no rotation after stop()');
});

test('grace 0 drops the previous key at once; a failed generation keeps the current key and retries', async () => {
  const time = new ManualTime();
  let failNext = false;
  const errors: string[] = [];
  const rotation = await E2eKeyRotation.create({
    rotationSeconds: 60, graceSeconds: 0, now: () => time.now, timers: time, onError: (error) => errors.push(error.message),
    generate: async () => {
      if (failNext) throw new Error('no entropy today');
      return generateE2eKeyPair();
    },
  });
  rotation.start();
  const [first] = rotation.entries();
  failNext = true;
  time.advance(60_000);
  while (errors.length === 0) await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(rotation.keys(), [first!.pair]);
  assert.match(errors[0]!, /no entropy today/);
  failNext = false;
  await new Promise((resolve) => setImmediate(resolve)); // the retry is scheduled once the failure settled
  const rotated = nextChange(rotation);
  time.advance(60_000);
  await rotated;
  assert.equal(rotation.entries().length, 1);
  assert.notEqual(rotation.keys()[0], first!.pair);
  rotation.stop();
});

test('bad periods are config errors naming the key', async () => {
  await assert.rejects(E2eKeyRotation.create({ rotationSeconds: 0, graceSeconds: 0, now: Date.now }), { code: 'CCN_ERR_CONFIG_INVALID', param: 'e2e_key_rotation_seconds' });
  await assert.rejects(E2eKeyRotation.create({ rotationSeconds: 60, graceSeconds: -1, now: Date.now }), { code: 'CCN_ERR_CONFIG_INVALID', param: 'e2e_key_grace_seconds' });
});
