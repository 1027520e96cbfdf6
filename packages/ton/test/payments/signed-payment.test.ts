/** Signing, verifying and repacking proxy-signed payment envelopes (§6.3). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Address, beginCell } from '@ton/core';
import { keyPairFromSeed } from '@ton/crypto';
import { CocoonError } from '@cocoon/protocol';
import { readSignedPayment, repackSignedPayment, SignedPaymentOp, signPayment } from '../../src/payments/signed-payment.ts';

const keys = keyPairFromSeed(Buffer.alloc(32, 1));
const other = keyPairFromSeed(Buffer.alloc(32, 2));
const client = new Address(0, Buffer.alloc(32, 0xc1));
const excesses = new Address(0, Buffer.alloc(32, 0xe5));

function rejects(run: () => unknown, param: string): void {
  assert.throws(run, (error: unknown) => error instanceof CocoonError && error.code === 'CCN_ERR_TON_BAD_SIGNED_PAYMENT' && error.param === param);
}

describe('signed payments', () => {
  const charge = signPayment({
    op: SignedPaymentOp.clientCharge, queryId: 77n, newTokens: 1234n, expectedAddress: client, sendExcessesTo: excesses, secretKey: keys.secretKey,
  });

  test('round-trips a charge', () => {
    const read = readSignedPayment(charge, { publicKey: keys.publicKey, op: SignedPaymentOp.clientCharge, expectedAddress: client });
    assert.equal(read.op, SignedPaymentOp.clientCharge);
    assert.equal(read.queryId, 77n);
    assert.equal(read.newTokens, 1234n);
    assert.ok(read.expectedAddress.equals(client));
    assert.ok(read.sendExcessesTo.equals(excesses));
  });

  test('token-less close ops carry no tokens', () => {
    const close = signPayment({ op: SignedPaymentOp.proxyCloseRequest, queryId: 1n, expectedAddress: client, secretKey: keys.secretKey });
    const read = readSignedPayment(close, { publicKey: keys.publicKey });
    assert.equal(read.newTokens, 0n);
    assert.equal(close.refs[0]?.bits.length, 32 + 64 + 267);
    rejects(() => signPayment({ op: SignedPaymentOp.proxyCloseRequest, queryId: 1n, newTokens: 1n, expectedAddress: client, secretKey: keys.secretKey }), 'newTokens');
    rejects(() => signPayment({ op: SignedPaymentOp.workerPayout, queryId: 1n, expectedAddress: client, secretKey: keys.secretKey }), 'newTokens');
    rejects(() => signPayment({ op: 0x1234, queryId: 1n, expectedAddress: client, secretKey: keys.secretKey }), 'op');
  });

  test('rejects a foreign key, another op and another address', () => {
    rejects(() => readSignedPayment(charge, { publicKey: other.publicKey }), 'signature');
    rejects(() => readSignedPayment(charge, { publicKey: keys.publicKey, op: SignedPaymentOp.clientGrantRefund }), 'op');
    rejects(() => readSignedPayment(charge, { publicKey: keys.publicKey, expectedAddress: excesses }), 'expectedAddress');
    rejects(() => readSignedPayment(beginCell().storeUint(1, 8).endCell(), { publicKey: keys.publicKey }), 'envelope');
  });

  test('rejects an envelope whose op differs from the signed payload op', () => {
    const slice = charge.beginParse();
    slice.skip(32);
    const swapped = beginCell().storeUint(SignedPaymentOp.clientGrantRefund, 32).storeSlice(slice).endCell();
    rejects(() => readSignedPayment(swapped, { publicKey: keys.publicKey }), 'op');
  });

  test('repacking changes send_excesses_to and keeps the signature valid', () => {
    const mine = new Address(0, Buffer.alloc(32, 0x99));
    const repacked = repackSignedPayment(charge, mine);
    const read = readSignedPayment(repacked, { publicKey: keys.publicKey, expectedAddress: client });
    assert.ok(read.sendExcessesTo.equals(mine));
    assert.equal(read.newTokens, 1234n);
    assert.notEqual(repacked.hash().toString('hex'), charge.hash().toString('hex'));
  });
});
