/**
 * Tests of isTlObject / expectTlObject: they accept exactly the named constructors, refuse other
 * constructors and non-objects (Buffers, arrays, null, primitives), narrow to the generated types
 * (checked by tsc: the typed reads below fail the type check if the narrowing stops working), and
 * expectTlObject fails with CCN_ERR_PROTOCOL_VIOLATION naming what was expected and what came.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBoxed, encodeBoxed, expectTlObject, isTlObject, ProxyParamsFlag } from '../../src/tl/index.ts';
import type { TlObject } from '../../src/tl/index.ts';

const params = {
  _: 'proxy.params', proxy_public_key: Buffer.alloc(32, 1), proxy_owner_address: 'owner', proxy_sc_address: 'contract', is_test: true, proto_version: 2,
} as const;
const connected: TlObject = decodeBoxed(encodeBoxed<'worker.connectedToProxy'>({ _: 'worker.connectedToProxy', params, worker_sc_address: 'worker' }));

describe('isTlObject', () => {
  test('narrows a decoded object and its nested objects to the generated types', () => {
    assert.ok(isTlObject(connected, 'worker.connectedToProxy'));
    const address: string = connected.worker_sc_address;
    const key: Buffer = connected.params.proxy_public_key;
    const flags: number | undefined = connected.params.flags;
    assert.equal(address, 'worker');
    assert.deepEqual(key, Buffer.alloc(32, 1));
    assert.equal(flags, ProxyParamsFlag.is_test | ProxyParamsFlag.proto_version);
    assert.ok(isTlObject(connected.params, 'proxy.params'));
  });

  test('accepts any of several names and narrows to their union', () => {
    const payment: unknown = { _: 'proxy.signedPaymentEmpty' };
    assert.ok(isTlObject(payment, 'proxy.signedPayment', 'proxy.signedPaymentEmpty'));
    const name: 'proxy.signedPayment' | 'proxy.signedPaymentEmpty' = payment._;
    assert.equal(name, 'proxy.signedPaymentEmpty');
  });

  test('refuses other constructors and values that are not TL objects', () => {
    assert.equal(isTlObject(connected, 'client.connectedToProxy'), false);
    for (const value of [undefined, null, 0, 'proxy.params', Buffer.from('proxy.params'), [params], {}, { _: 7 }]) {
      assert.equal(isTlObject(value, 'proxy.params'), false, String(value));
    }
  });
});

describe('expectTlObject', () => {
  test('returns the value typed as the expected constructor', () => {
    const typed = expectTlObject(connected, 'worker.connectedToProxy');
    assert.equal(typed.params.proto_version, 2);
    assert.equal(typed, connected);
  });

  test('throws CCN_ERR_PROTOCOL_VIOLATION naming the expected and the received constructor', () => {
    assert.throws(() => expectTlObject(connected, 'worker.paymentStatus', 'worker.proxyHandshakeCompleted'), (error: unknown) => {
      const { code, message, param } = error as { code?: string; message?: string; param?: string };
      return code === 'CCN_ERR_PROTOCOL_VIOLATION' && message === 'expected worker.paymentStatus or worker.proxyHandshakeCompleted, got worker.connectedToProxy'
        && param === 'worker.connectedToProxy';
    });
    assert.throws(() => expectTlObject(Buffer.alloc(4), 'proxy.params'), /expected proxy\.params, got no TL object/);
  });
});
