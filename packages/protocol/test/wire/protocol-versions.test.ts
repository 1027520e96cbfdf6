/**
 * The protocol version ranges and the negotiation rule of reference 9060ce5 (§3.3): the ranges per
 * role, `min(remote max, local max)` when the ranges overlap, a clear CCN_ERR_PROTOCOL_VERSION naming
 * both ranges when they do not, and the dialer's check of the version the listener chose.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CocoonError, PROTOCOL_VERSIONS, REFERENCE_PROTOCOL_VERSIONS, checkChosenProtocolVersion, negotiateProtocolVersion,
} from '../../src/index.ts';

const refusal = (pattern: RegExp) => (error: unknown): boolean =>
  error instanceof CocoonError && error.code === 'CCN_ERR_PROTOCOL_VERSION' && pattern.test(error.message);

test('the ranges per role are exactly the reference 9060ce5 ones: client 1..4, proxy 0..4, worker 3..4', () => {
  assert.deepEqual(REFERENCE_PROTOCOL_VERSIONS, { client: { min: 1, max: 4 }, proxy: { min: 0, max: 4 }, worker: { min: 3, max: 4 } });
  assert.deepEqual(PROTOCOL_VERSIONS, REFERENCE_PROTOCOL_VERSIONS);
  assert.ok(Object.isFrozen(PROTOCOL_VERSIONS) && Object.isFrozen(PROTOCOL_VERSIONS.worker));
});

test('the listener picks min(remote max, local max)', () => {
  const proxy = PROTOCOL_VERSIONS.proxy;
  assert.equal(negotiateProtocolVersion(proxy, PROTOCOL_VERSIONS.worker), 4);
  assert.equal(negotiateProtocolVersion(proxy, { min: 3, max: 3 }), 3);
  assert.equal(negotiateProtocolVersion(proxy, { min: 1, max: 2 }), 2, 'a b75d444 peer');
  assert.equal(negotiateProtocolVersion(proxy, { min: 0, max: 9 }), 4, 'a newer peer');
  assert.equal(negotiateProtocolVersion(proxy, { min: 0, max: 0 }), 0, 'a version-0 peer (no range sent) gets 0, as from the reference proxy');
  assert.equal(negotiateProtocolVersion(proxy, { min: 0, max: 1 }), 1);
});

test('ranges that do not overlap are refused with both ranges named', () => {
  assert.throws(() => negotiateProtocolVersion(PROTOCOL_VERSIONS.proxy, { min: 5, max: 6 }, 'client'), refusal(/client speaks 5\.\.6, this runner 0\.\.4/));
  assert.throws(() => negotiateProtocolVersion(PROTOCOL_VERSIONS.worker, { min: 0, max: 0 }, 'proxy'), refusal(/proxy speaks 0\.\.0, this runner 3\.\.4/));
  assert.throws(() => negotiateProtocolVersion({ min: 1, max: 2 }, PROTOCOL_VERSIONS.worker, 'worker'), refusal(/worker speaks 3\.\.4, this runner 1\.\.2/));
  assert.throws(() => negotiateProtocolVersion(PROTOCOL_VERSIONS.proxy, { min: 5, max: 3 }), refusal(/5\.\.3/), 'an empty range');
});

test('the dialer accepts only a chosen version inside its range', () => {
  assert.equal(checkChosenProtocolVersion(PROTOCOL_VERSIONS.worker, 3), 3);
  assert.equal(checkChosenProtocolVersion(PROTOCOL_VERSIONS.worker, 4), 4);
  assert.throws(() => checkChosenProtocolVersion(PROTOCOL_VERSIONS.worker, 2, 'proxy'), refusal(/proxy chose protocol version 2, this runner speaks 3\.\.4 \(the proxy is too old\)/));
  assert.throws(() => checkChosenProtocolVersion(PROTOCOL_VERSIONS.client, undefined, 'proxy'), refusal(/version 0/));
  assert.throws(() => checkChosenProtocolVersion(PROTOCOL_VERSIONS.client, 5), refusal(/version 5, this runner speaks 1\.\.4$/));
});
