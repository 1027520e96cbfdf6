/** Sandbox tests of the client contract: every owner/proxy operation and its abuse cases. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { toNano } from '@ton/core';
import { keyPairFromSeed } from '@ton/crypto';
import { SignedPaymentOp, signPayment } from '../../src/payments/signed-payment.ts';
import { ContractState } from '../../src/addresses/settlement-contract-data.ts';
import {
  allSucceeded, createSettlementFixture, deployClient, exitCodeOf, findTransaction, inboundValue, signed, START_TIME,
  type SettlementFixture,
} from './settlement-fixture.ts';
import { ContractExitCode } from '../../src/contracts/contract-exit-codes.ts';

const CLIENT_PROXY_REQUEST = 0x65448ff4;
const PAYOUT = 0xc59a7cd3;
const TOP_UP = toNano('10');

async function deployed(): Promise<SettlementFixture> {
  const fixture = await createSettlementFixture();
  const transactions = await deployClient(fixture, TOP_UP);
  assert.ok(allSucceeded(transactions));
  return fixture;
}

function ownerInput(fixture: SettlementFixture) {
  return { value: toNano('0.7'), queryId: 11n, sendExcessesTo: fixture.clientOwner.address };
}

describe('cocoon client contract', () => {
  test('deploys with a top-up forwarded to the proxy contract', async () => {
    const fixture = await createSettlementFixture();
    const proxyBefore = (await fixture.blockchain.getContract(fixture.proxy.address)).balance;
    const transactions = await deployClient(fixture, TOP_UP);
    assert.equal(exitCodeOf(transactions, { to: fixture.proxy.address, from: fixture.client.address, op: CLIENT_PROXY_REQUEST }), 0);
    const data = await fixture.client.getClientData();
    assert.equal(data.state, ContractState.normal);
    assert.equal(data.balance, TOP_UP);
    assert.equal(data.stake, fixture.params.minClientStake);
    assert.ok(data.proxyAddress.equals(fixture.proxy.address));
    const proxyAfter = (await fixture.blockchain.getContract(fixture.proxy.address)).balance;
    assert.equal(proxyAfter - proxyBefore, TOP_UP, 'the proxy contract keeps exactly the top-up');
  });

  test('top-up needs amount + 0.1 TON attached (1003)', async () => {
    const fixture = await deployed();
    const result = await fixture.client.sendTopUp(fixture.stranger.getSender(), {
      value: TOP_UP + toNano('0.05'), queryId: 1n, amount: TOP_UP, sendExcessesTo: fixture.stranger.address,
    });
    assert.equal(exitCodeOf(result.transactions, { to: fixture.client.address }), ContractExitCode.lowMsgValue);
  });

  test('charge lowers the balance by delta x price; replays and old totals fail (1000)', async () => {
    const fixture = await deployed();
    const price = fixture.params.pricePerToken;
    const charge = signed(fixture, SignedPaymentOp.clientCharge, fixture.client.address, 1_000_000n);
    const first = await fixture.client.sendSigned(fixture.proxyOwner.getSender(), { value: toNano('0.7'), signedPayment: charge });
    assert.ok(allSucceeded(first.transactions));
    let data = await fixture.client.getClientData();
    assert.equal(data.tokensUsed, 1_000_000n);
    assert.equal(data.balance, TOP_UP - 1_000_000n * price);
    const replay = await fixture.client.sendSigned(fixture.proxyOwner.getSender(), { value: toNano('0.7'), signedPayment: charge });
    assert.equal(exitCodeOf(replay.transactions, { to: fixture.client.address }), ContractExitCode.oldMessage);
    const older = signed(fixture, SignedPaymentOp.clientCharge, fixture.client.address, 999_999n);
    const old = await fixture.client.sendSigned(fixture.proxyOwner.getSender(), { value: toNano('0.7'), signedPayment: older });
    assert.equal(exitCodeOf(old.transactions, { to: fixture.client.address }), ContractExitCode.oldMessage);
    const huge = signed(fixture, SignedPaymentOp.clientCharge, fixture.client.address, 10n ** 15n);
    await fixture.client.sendSigned(fixture.proxyOwner.getSender(), { value: toNano('0.7'), signedPayment: huge });
    data = await fixture.client.getClientData();
    assert.equal(data.balance, 0n, 'floored at zero');
  });

  test('forged signature (1007), wrong expected address (1015), too little value (1003)', async () => {
    const fixture = await deployed();
    const forged = signPayment({
      op: SignedPaymentOp.clientCharge, queryId: 1n, newTokens: 5n, expectedAddress: fixture.client.address,
      secretKey: keyPairFromSeed(Buffer.alloc(32, 9)).secretKey,
    });
    const bad = await fixture.client.sendSigned(fixture.stranger.getSender(), { value: toNano('0.7'), signedPayment: forged });
    assert.equal(exitCodeOf(bad.transactions, { to: fixture.client.address }), ContractExitCode.badSignature);
    const elsewhere = signed(fixture, SignedPaymentOp.clientCharge, fixture.worker.address, 5n);
    const wrong = await fixture.client.sendSigned(fixture.stranger.getSender(), { value: toNano('0.7'), signedPayment: elsewhere });
    assert.equal(exitCodeOf(wrong.transactions, { to: fixture.client.address }), ContractExitCode.expectedAddress);
    const good = signed(fixture, SignedPaymentOp.clientCharge, fixture.client.address, 5n);
    const poor = await fixture.client.sendSigned(fixture.stranger.getSender(), { value: toNano('0.05'), signedPayment: good });
    assert.equal(exitCodeOf(poor.transactions, { to: fixture.client.address }), ContractExitCode.lowMsgValue);
    assert.equal((await fixture.client.getClientData()).tokensUsed, 0n);
  });

  test('grant refund closes and refunds the rest to the owner; a second refund fails (1006)', async () => {
    const fixture = await deployed();
    const price = fixture.params.pricePerToken;
    const refund = signed(fixture, SignedPaymentOp.clientGrantRefund, fixture.client.address, 2_000n);
    const result = await fixture.client.sendSigned(fixture.proxyOwner.getSender(), { value: toNano('0.7'), signedPayment: refund });
    assert.ok(allSucceeded(result.transactions));
    const paid = inboundValue(result.transactions, { to: fixture.clientOwner.address, from: fixture.proxy.address, op: PAYOUT });
    assert.equal(paid, TOP_UP - 2_000n * price);
    const data = await fixture.client.getClientData();
    assert.equal(data.state, ContractState.closed);
    assert.equal(data.balance, 0n);
    const again = await fixture.client.sendSigned(fixture.proxyOwner.getSender(), { value: toNano('0.7'), signedPayment: refund });
    assert.equal(exitCodeOf(again.transactions, { to: fixture.client.address }), ContractExitCode.closed);
    const reopen = await fixture.client.sendTopUpReopen(fixture.clientOwner.getSender(), { ...ownerInput(fixture), value: toNano('3.1') });
    assert.ok(allSucceeded(reopen.transactions));
    const reopened = await fixture.client.getClientData();
    assert.equal(reopened.state, ContractState.normal);
    assert.equal(reopened.balance, toNano('3'));
  });

  test('withdraw refunds balance above stake; without such balance it fails (1009)', async () => {
    const fixture = await deployed();
    const result = await fixture.client.sendWithdraw(fixture.clientOwner.getSender(), ownerInput(fixture));
    const paid = inboundValue(result.transactions, { to: fixture.clientOwner.address, from: fixture.proxy.address, op: PAYOUT });
    assert.equal(paid, TOP_UP - fixture.params.minClientStake);
    assert.equal((await fixture.client.getClientData()).balance, fixture.params.minClientStake);
    const again = await fixture.client.sendWithdraw(fixture.clientOwner.getSender(), ownerInput(fixture));
    assert.equal(exitCodeOf(again.transactions, { to: fixture.client.address }), ContractExitCode.balanceTooLow);
  });

  test('request refund: closing, early force-close (1011), force-close paid from the proxy stake', async () => {
    const fixture = await deployed();
    const stake = fixture.params.minClientStake;
    const first = await fixture.client.sendRequestRefund(fixture.clientOwner.getSender(), ownerInput(fixture));
    assert.equal(inboundValue(first.transactions, { to: fixture.clientOwner.address, from: fixture.proxy.address, op: PAYOUT }), TOP_UP - stake);
    const closing = await fixture.client.getClientData();
    assert.equal(closing.state, ContractState.closing);
    assert.equal(closing.unlockTs, START_TIME + fixture.params.clientDelayBeforeClose);
    assert.equal(closing.balance, stake);
    const early = await fixture.client.sendRequestRefund(fixture.clientOwner.getSender(), ownerInput(fixture));
    assert.equal(exitCodeOf(early.transactions, { to: fixture.client.address }), ContractExitCode.notUnlockedYet);
    fixture.blockchain.now = closing.unlockTs;
    const proxyStakeBefore = (await fixture.proxy.getProxyData()).stake;
    const forced = await fixture.client.sendRequestRefund(fixture.clientOwner.getSender(), ownerInput(fixture));
    assert.equal(inboundValue(forced.transactions, { to: fixture.clientOwner.address, from: fixture.proxy.address, op: PAYOUT }), stake);
    assert.equal((await fixture.proxy.getProxyData()).stake, proxyStakeBefore - stake);
    assert.equal((await fixture.client.getClientData()).state, ContractState.closed);
    const double = await fixture.client.sendRequestRefund(fixture.clientOwner.getSender(), ownerInput(fixture));
    assert.equal(exitCodeOf(double.transactions, { to: fixture.client.address }), ContractExitCode.closed);
  });

  test('increase stake must increase (1008); change secret; register forwards the nonce', async () => {
    const fixture = await deployed();
    const stake = fixture.params.minClientStake;
    const same = await fixture.client.sendIncreaseStake(fixture.clientOwner.getSender(), { ...ownerInput(fixture), newStake: stake });
    assert.equal(exitCodeOf(same.transactions, { to: fixture.client.address }), ContractExitCode.stakeMustIncrease);
    const more = await fixture.client.sendIncreaseStake(fixture.clientOwner.getSender(), { ...ownerInput(fixture), newStake: stake * 2n });
    assert.ok(allSucceeded(more.transactions));
    assert.equal((await fixture.client.getClientData()).stake, stake * 2n);

    const secretHash = Buffer.alloc(32, 0x5a);
    const secret = await fixture.client.sendChangeSecretHash(fixture.clientOwner.getSender(), { ...ownerInput(fixture), secretHash });
    assert.ok(allSucceeded(secret.transactions));
    assert.deepEqual((await fixture.client.getClientData()).secretHash, secretHash);
    const secretHash2 = Buffer.alloc(32, 0x6b);
    const both = await fixture.client.sendChangeSecretHashAndTopUp(fixture.clientOwner.getSender(), {
      ...ownerInput(fixture), value: toNano('1.7'), amount: toNano('1'), secretHash: secretHash2,
    });
    assert.ok(allSucceeded(both.transactions));
    const data = await fixture.client.getClientData();
    assert.deepEqual(data.secretHash, secretHash2);
    assert.equal(data.balance, TOP_UP + toNano('1'));

    const register = await fixture.client.sendRegister(fixture.clientOwner.getSender(), { ...ownerInput(fixture), value: toNano('1'), nonce: 0xfeedn });
    const request = findTransaction(register.transactions, { to: fixture.proxy.address, from: fixture.client.address, op: CLIENT_PROXY_REQUEST });
    assert.ok(request?.inMessage);
    assert.equal(exitCodeOf(register.transactions, { to: fixture.proxy.address }), 0);
    const body = request.inMessage.body.beginParse();
    body.skip(32 + 64);
    assert.ok(body.loadAddress().equals(fixture.clientOwner.address));
    body.loadRef();
    const payload = body.loadMaybeRef()?.beginParse();
    assert.equal(payload?.loadUint(32), 0xa35cb580);
    assert.equal(payload?.loadUintBig(64), 0xfeedn);
  });

  test('owner-only operations refuse other senders (1004)', async () => {
    const fixture = await deployed();
    const input = { ...ownerInput(fixture), sendExcessesTo: fixture.stranger.address };
    const via = fixture.stranger.getSender();
    const attempts = [
      await fixture.client.sendWithdraw(via, input),
      await fixture.client.sendRequestRefund(via, input),
      await fixture.client.sendIncreaseStake(via, { ...input, newStake: toNano('5') }),
      await fixture.client.sendChangeSecretHash(via, { ...input, secretHash: Buffer.alloc(32, 1) }),
      await fixture.client.sendRegister(via, { ...input, nonce: 1n }),
    ];
    for (const attempt of attempts) assert.equal(exitCodeOf(attempt.transactions, { to: fixture.client.address }), ContractExitCode.accessDenied);
  });
});
