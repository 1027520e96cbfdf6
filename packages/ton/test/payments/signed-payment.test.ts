/**
 * Signing, verifying and repacking proxy-signed payment envelopes (§6.3): every op round-trips,
 * and forged envelopes (tampered payload, signature, query id, op, truncated cells) are refused
 * with CCN_ERR_TON_BAD_SIGNED_PAYMENT naming the offending field.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Address, beginCell, type Cell } from '@ton/core';
import { keyPairFromSeed, sign } from '@ton/crypto';
import { CocoonError } from '@cocoon/protocol';
import { readSignedPayment, repackSignedPayment, signedPaymentHasTokens, SignedPaymentOp, signPayment } from '../../src/payments/signed-payment.ts';

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

  const ops = Object.entries(SignedPaymentOp) as Array<[string, number]>;
  for (const [name, op] of ops) {
    test(`${name} round-trips with exactly its fields`, () => {
      const tokens = signedPaymentHasTokens(op);
      assert.equal(tokens, !name.startsWith('proxyClose'), 'only the close ops carry no tokens');
      for (const newTokens of tokens ? [0n, 1n, 2n ** 64n - 1n] : [undefined]) {
        const cell = signPayment({ op, queryId: 2n ** 64n - 1n, expectedAddress: client, secretKey: keys.secretKey, ...(newTokens === undefined ? {} : { newTokens }) });
        const read = readSignedPayment(cell, { publicKey: keys.publicKey, op, expectedAddress: client });
        assert.deepEqual([read.op, read.queryId, read.newTokens], [op, 2n ** 64n - 1n, newTokens ?? 0n]);
        assert.ok(read.sendExcessesTo.equals(client), 'send_excesses_to defaults to the expected address');
      }
    });
  }

  /** An envelope around `payload` with the given fields (no signing: forgeries). */
  function envelope(op: number, queryId: bigint, signature: Buffer, payload: Cell): Cell {
    return beginCell().storeUint(op, 32).storeUint(queryId, 64).storeAddress(excesses).storeBuffer(signature).storeRef(payload).endCell();
  }
  const chargePayload = (queryId: bigint, tokens: bigint) =>
    beginCell().storeUint(SignedPaymentOp.clientCharge, 32).storeUint(queryId, 64).storeUint(tokens, 64).storeAddress(client).endCell();
  const signatureOf = (payload: Cell, secretKey = keys.secretKey) => sign(payload.hash(), secretKey);

  const forgeries: Array<[string, () => Cell, string]> = [
    ['more tokens under the old signature', () => envelope(SignedPaymentOp.clientCharge, 1n, signatureOf(chargePayload(1n, 10n)), chargePayload(1n, 10_000n)), 'signature'],
    ['one flipped signature bit', () => {
      const signature = Buffer.from(signatureOf(chargePayload(1n, 10n)));
      signature[63] = (signature[63] ?? 0) ^ 1;
      return envelope(SignedPaymentOp.clientCharge, 1n, signature, chargePayload(1n, 10n));
    }, 'signature'],
    ['an all-zero signature', () => envelope(SignedPaymentOp.clientCharge, 1n, Buffer.alloc(64), chargePayload(1n, 10n)), 'signature'],
    ['another query_id on the envelope', () => envelope(SignedPaymentOp.clientCharge, 2n, signatureOf(chargePayload(1n, 10n)), chargePayload(1n, 10n)), 'queryId'],
    ['a signed payload without its address', () => {
      const payload = beginCell().storeUint(SignedPaymentOp.clientCharge, 32).storeUint(1n, 64).storeUint(10n, 64).endCell();
      return envelope(SignedPaymentOp.clientCharge, 1n, signatureOf(payload), payload);
    }, 'payload'],
    ['a signed payload of an unknown op', () => {
      const payload = beginCell().storeUint(0x0badf00d, 32).storeUint(1n, 64).storeAddress(client).endCell();
      return envelope(0x0badf00d, 1n, signatureOf(payload), payload);
    }, 'op'],
    ['a token op around a token-less signed payload', () => {
      const payload = beginCell().storeUint(SignedPaymentOp.proxyCloseRequest, 32).storeUint(1n, 64).storeAddress(client).endCell();
      return envelope(SignedPaymentOp.clientGrantRefund, 1n, signatureOf(payload), payload);
    }, 'payload'],
    ['an envelope without its payload ref', () => beginCell().storeUint(SignedPaymentOp.clientCharge, 32).storeUint(1n, 64).storeAddress(excesses).storeBuffer(Buffer.alloc(64)).endCell(), 'envelope'],
    ['an envelope cut inside the signature', () => beginCell().storeUint(SignedPaymentOp.clientCharge, 32).storeUint(1n, 64).storeAddress(excesses).storeBuffer(Buffer.alloc(32)).endCell(), 'envelope'],
  ];
  for (const [name, build, param] of forgeries) {
    test(`refuses a forged envelope: ${name}`, () => rejects(() => readSignedPayment(build(), { publicKey: keys.publicKey }), param));
  }

  test('the hand-built envelope of the forgery table is accepted unchanged (each forgery is one change)', () => {
    const payload = chargePayload(1n, 10n);
    const read = readSignedPayment(envelope(SignedPaymentOp.clientCharge, 1n, signatureOf(payload), payload), { publicKey: keys.publicKey, op: SignedPaymentOp.clientCharge });
    assert.deepEqual([read.queryId, read.newTokens], [1n, 10n]);
    assert.ok(read.sendExcessesTo.equals(excesses));
  });

  test('a payment signed for one contract cannot be replayed on another, even repacked', () => {
    const worker = new Address(0, Buffer.alloc(32, 0x77));
    const repacked = repackSignedPayment(charge, worker);
    rejects(() => readSignedPayment(repacked, { publicKey: keys.publicKey, expectedAddress: worker }), 'expectedAddress');
    assert.throws(() => readSignedPayment(repacked, { publicKey: keys.publicKey, expectedAddress: worker }), /is for 0:c1c1/);
  });
});
