/** Sandbox tests of the worker contract: payouts, last payout, register and abuse cases. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { beginCell, toNano } from '@ton/core';
import { SignedPaymentOp } from '../../src/payments/signed-payment.ts';
import { ContractState } from '../../src/addresses/settlement-contract-data.ts';
import {
  allSucceeded, createSettlementFixture, deployClient, exitCodeOf, inboundValue, signed, type SettlementFixture,
} from './settlement-fixture.ts';
import { ContractExitCode } from '../../src/contracts/contract-exit-codes.ts';

const PAYOUT = 0xc59a7cd3;
const WORKER_PROXY_REQUEST = 0x4d725d2c;

async function funded(): Promise<SettlementFixture> {
  const fixture = await createSettlementFixture();
  await deployClient(fixture, toNano('50'));
  await fixture.worker.sendDeploy(fixture.workerOwner.getSender(), { value: toNano('0.3') });
  return fixture;
}

describe('cocoon worker contract', () => {
  test('payout pays delta x fee to the owner and credits delta x (price - fee) to the proxy', async () => {
    const fixture = await funded();
    const { pricePerToken: price, workerFeePerToken: fee } = fixture.params;
    const payout = signed(fixture, SignedPaymentOp.workerPayout, fixture.worker.address, 1_000_000n);
    const result = await fixture.worker.sendSigned(fixture.workerOwner.getSender(), { value: toNano('0.5'), signedPayment: payout });
    assert.ok(allSucceeded(result.transactions));
    assert.equal(inboundValue(result.transactions, { to: fixture.workerOwner.address, from: fixture.proxy.address, op: PAYOUT }), 1_000_000n * fee);
    assert.equal((await fixture.proxy.getProxyData()).balance, 1_000_000n * (price - fee));
    assert.equal((await fixture.worker.getWorkerData()).tokens, 1_000_000n);

    const replay = await fixture.worker.sendSigned(fixture.workerOwner.getSender(), { value: toNano('0.5'), signedPayment: payout });
    assert.equal(exitCodeOf(replay.transactions, { to: fixture.worker.address }), ContractExitCode.oldMessage);
  });

  test('last payout (≥) closes the worker; later payouts fail (1006)', async () => {
    const fixture = await funded();
    const fee = fixture.params.workerFeePerToken;
    const first = signed(fixture, SignedPaymentOp.workerPayout, fixture.worker.address, 100n);
    await fixture.worker.sendSigned(fixture.workerOwner.getSender(), { value: toNano('0.5'), signedPayment: first });
    const last = signed(fixture, SignedPaymentOp.workerLastPayout, fixture.worker.address, 300n);
    const result = await fixture.worker.sendSigned(fixture.proxyOwner.getSender(), { value: toNano('0.7'), signedPayment: last });
    assert.equal(inboundValue(result.transactions, { to: fixture.workerOwner.address, from: fixture.proxy.address, op: PAYOUT }), 200n * fee);
    const data = await fixture.worker.getWorkerData();
    assert.equal(data.state, ContractState.closed);
    assert.equal(data.tokens, 300n);
    const later = signed(fixture, SignedPaymentOp.workerPayout, fixture.worker.address, 400n);
    const refused = await fixture.worker.sendSigned(fixture.workerOwner.getSender(), { value: toNano('0.5'), signedPayment: later });
    assert.equal(exitCodeOf(refused.transactions, { to: fixture.worker.address }), ContractExitCode.closed);
  });

  test('signatures are checked (1007, 1015) and a charge payload is not a payout (1001)', async () => {
    const fixture = await funded();
    const elsewhere = signed(fixture, SignedPaymentOp.workerPayout, fixture.client.address, 10n);
    const wrong = await fixture.worker.sendSigned(fixture.workerOwner.getSender(), { value: toNano('0.5'), signedPayment: elsewhere });
    assert.equal(exitCodeOf(wrong.transactions, { to: fixture.worker.address }), ContractExitCode.expectedAddress);
    // envelope op payout around a (validly signed) charge payload
    const charge = signed(fixture, SignedPaymentOp.clientCharge, fixture.worker.address, 10n);
    const slice = charge.beginParse();
    slice.skip(32);
    const mixed = beginCell().storeUint(SignedPaymentOp.workerPayout, 32).storeSlice(slice).endCell();
    const mixedResult = await fixture.worker.sendSigned(fixture.workerOwner.getSender(), { value: toNano('0.5'), signedPayment: mixed });
    assert.equal(exitCodeOf(mixedResult.transactions, { to: fixture.worker.address }), ContractExitCode.wrongPayloadOp);
    const tampered = beginCell().storeUint(SignedPaymentOp.workerPayout, 32).storeUint(1, 64).storeAddress(fixture.workerOwner.address)
      .storeBuffer(Buffer.alloc(64, 1)).storeRef(beginCell().storeUint(SignedPaymentOp.workerPayout, 32).endCell()).endCell();
    const forged = await fixture.worker.sendSigned(fixture.workerOwner.getSender(), { value: toNano('0.5'), signedPayment: tampered });
    assert.equal(exitCodeOf(forged.transactions, { to: fixture.worker.address }), ContractExitCode.badSignature);
  });

  test('register: owner only (1004), notifies the proxy contract', async () => {
    const fixture = await funded();
    const input = { value: toNano('0.3'), queryId: 4n, sendExcessesTo: fixture.stranger.address };
    const denied = await fixture.worker.sendRegister(fixture.stranger.getSender(), input);
    assert.equal(exitCodeOf(denied.transactions, { to: fixture.worker.address }), ContractExitCode.accessDenied);
    const ok = await fixture.worker.sendRegister(fixture.workerOwner.getSender(), input);
    assert.ok(allSucceeded(ok.transactions));
    assert.equal(exitCodeOf(ok.transactions, { to: fixture.proxy.address, from: fixture.worker.address, op: WORKER_PROXY_REQUEST }), 0);
  });
});
