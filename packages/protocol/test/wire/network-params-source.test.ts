/**
 * The off-chain network parameters and their source: the dev values the runners bill with when
 * there is no root contract (20 nanoTON charged, 19 paid to the worker, every multiplier 1.0×),
 * frozen so no runner can change them for the others, and the empty signed payment.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBoxed, encodeBoxed } from '../../src/tl/index.ts';
import { DEV_NETWORK_PARAMS, EMPTY_SIGNED_PAYMENT, StaticNetworkParamsSource, type NetworkParamsSource } from '../../src/wire/index.ts';
import { DEFAULT_MULTIPLIERS } from '../../src/pricing/index.ts';

test('dev params: a test network at the dev prices with 1.0× multipliers', () => {
  assert.equal(DEV_NETWORK_PARAMS.isTest, true);
  assert.equal(DEV_NETWORK_PARAMS.pricePerToken, 20n);
  assert.equal(DEV_NETWORK_PARAMS.workerFeePerToken, 19n);
  assert.ok(DEV_NETWORK_PARAMS.workerFeePerToken < DEV_NETWORK_PARAMS.pricePerToken, 'the proxy keeps a commission');
  assert.deepEqual(DEV_NETWORK_PARAMS.multipliers, DEFAULT_MULTIPLIERS);
  assert.equal(DEV_NETWORK_PARAMS.configVersion, 0);
});

test('dev params cannot be changed at run time, not even their multipliers', () => {
  assert.throws(() => { (DEV_NETWORK_PARAMS as { pricePerToken: bigint }).pricePerToken = 0n; }, TypeError);
  assert.throws(() => { (DEV_NETWORK_PARAMS.multipliers as { prompt: number }).prompt = 0; }, TypeError);
});

test('a static source always answers the same params and never calls a listener', () => {
  const params = { ...DEV_NETWORK_PARAMS, pricePerToken: 30n };
  const source: NetworkParamsSource = new StaticNetworkParamsSource(params);
  let calls = 0;
  const unsubscribe = source.onChange(() => (calls += 1));
  assert.equal(source.current(), params);
  assert.equal(source.current(), source.current());
  unsubscribe();
  assert.equal(calls, 0);
});

test('the empty signed payment is the reference’s proxy.signedPaymentEmpty and is frozen', () => {
  const bytes = encodeBoxed(EMPTY_SIGNED_PAYMENT);
  assert.equal(bytes.length, 4);
  assert.deepEqual(decodeBoxed(bytes), { _: 'proxy.signedPaymentEmpty' });
  assert.ok(Object.isFrozen(EMPTY_SIGNED_PAYMENT));
});
