/** Sandbox tests of the proxy contract: deploy, save-state, payout, stake, close, abuse cases. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { beginCell, toNano } from '@ton/core';
import { keyPairFromSeed } from '@ton/crypto';
import { CocoonProxyContract, ProxyOp } from '../../src/wrappers/cocoon-proxy-contract.ts';
import { CocoonClientContract } from '../../src/wrappers/cocoon-client-contract.ts';
import { SignedPaymentOp, signPayment } from '../../src/payments/signed-payment.ts';
import { ContractState } from '../../src/addresses/settlement-contract-data.ts';
import { allSucceeded, createSettlementFixture, exitCodeOf, findTransaction, signed, START_TIME } from './settlement-fixture.ts';
import { ContractExitCode } from '../../src/contracts/contract-exit-codes.ts';

const CLIENT_PROXY_REQUEST = 0x65448ff4;
const WORKER_PROXY_REQUEST = 0x4d725d2c;

describe('cocoon proxy contract', () => {
  test('deploys with the stake and reports its data', async () => {
    const fixture = await createSettlementFixture();
    const data = await fixture.proxy.getProxyData();
    assert.equal(data.state, ContractState.normal);
    assert.equal(data.stake, fixture.params.minProxyStake);
    assert.equal(data.balance, 0n);
    assert.ok(data.ownerAddress.equals(fixture.proxyOwner.address));
    assert.deepEqual(data.proxyPublicKey, fixture.proxyKeys.publicKey);
  });

  test('ignores save-state (do_not_process) and parses it back', async () => {
    const fixture = await createSettlementFixture();
    const before = await fixture.proxy.getProxyData();
    const hash = Buffer.alloc(32, 0xab);
    // 1 nanoTON buys no gas: the transaction is recorded (what the runner watches) without compute.
    const result = await fixture.proxy.sendSaveState(fixture.proxyOwner.getSender(), { queryId: 5n, seqno: 42, sessionUniqueHash: hash });
    assert.equal(exitCodeOf(result.transactions, { to: fixture.proxy.address, op: ProxyOp.doNotProcess }), -1);
    const paid = await fixture.proxy.sendSaveState(fixture.proxyOwner.getSender(), {
      queryId: 6n, seqno: 43, sessionUniqueHash: hash, value: toNano('0.05'),
    });
    assert.equal(exitCodeOf(paid.transactions, { to: fixture.proxy.address, op: ProxyOp.doNotProcess }), 0);
    const after = await fixture.proxy.getProxyData();
    assert.deepEqual([after.state, after.balance, after.stake, after.unlockTs], [before.state, before.balance, before.stake, before.unlockTs]);
    const body = findTransaction(result.transactions, { to: fixture.proxy.address })?.inMessage?.body;
    assert.ok(body);
    assert.deepEqual(CocoonProxyContract.readSaveStateBody(body), { queryId: 5n, seqno: 42, sessionUniqueHash: hash });
    assert.equal(CocoonProxyContract.readSaveStateBody(beginCell().storeUint(1, 32).endCell()), null);
  });

  test('increases the stake; refuses too little value (1003)', async () => {
    const fixture = await createSettlementFixture();
    const ok = await fixture.proxy.sendIncreaseStake(fixture.stranger.getSender(), {
      value: toNano('2.2'), queryId: 3n, grams: toNano('2'), sendExcessesTo: fixture.stranger.address,
    });
    assert.ok(allSucceeded(ok.transactions));
    assert.equal((await fixture.proxy.getProxyData()).stake, fixture.params.minProxyStake + toNano('2'));
    const low = await fixture.proxy.sendIncreaseStake(fixture.stranger.getSender(), {
      value: toNano('2.05'), queryId: 4n, grams: toNano('2'), sendExcessesTo: fixture.stranger.address,
    });
    assert.equal(exitCodeOf(low.transactions, { to: fixture.proxy.address }), ContractExitCode.lowMsgValue);
  });

  test('payout request with an empty balance pays nothing but succeeds', async () => {
    const fixture = await createSettlementFixture();
    const result = await fixture.proxy.sendPayoutRequest(fixture.stranger.getSender(), {
      value: toNano('0.2'), queryId: 9n, sendExcessesTo: fixture.stranger.address,
    });
    assert.equal(exitCodeOf(result.transactions, { to: fixture.proxy.address }), 0);
    assert.equal(findTransaction(result.transactions, { to: fixture.proxyOwner.address, from: fixture.proxy.address }), undefined);
  });

  test('signed close request, early close complete (1011), close complete after the delay', async () => {
    const fixture = await createSettlementFixture();
    const proxyAddress = fixture.proxy.address;
    const request = await fixture.proxy.sendSigned(fixture.stranger.getSender(), {
      value: toNano('1'), signedPayment: signed(fixture, SignedPaymentOp.proxyCloseRequest, proxyAddress),
    });
    assert.equal(exitCodeOf(request.transactions, { to: proxyAddress }), 0);
    const closing = await fixture.proxy.getProxyData();
    assert.equal(closing.state, ContractState.closing);
    assert.equal(closing.unlockTs, START_TIME + fixture.params.proxyDelayBeforeClose);

    const complete = signed(fixture, SignedPaymentOp.proxyCloseComplete, proxyAddress);
    const early = await fixture.proxy.sendSigned(fixture.stranger.getSender(), { value: toNano('1'), signedPayment: complete });
    assert.equal(exitCodeOf(early.transactions, { to: proxyAddress }), ContractExitCode.notUnlockedYet);

    fixture.blockchain.now = closing.unlockTs;
    const ownerBefore = (await fixture.blockchain.getContract(fixture.proxyOwner.address)).balance;
    const done = await fixture.proxy.sendSigned(fixture.stranger.getSender(), { value: toNano('1'), signedPayment: complete });
    assert.equal(exitCodeOf(done.transactions, { to: proxyAddress }), 0);
    assert.equal((await fixture.proxy.getProxyData()).state, ContractState.closed);
    const ownerAfter = (await fixture.blockchain.getContract(fixture.proxyOwner.address)).balance;
    assert.ok(ownerAfter - ownerBefore > fixture.params.minProxyStake, 'the stake went back to the owner');

    const again = await fixture.proxy.sendPayoutRequest(fixture.stranger.getSender(), {
      value: toNano('0.2'), queryId: 1n, sendExcessesTo: fixture.stranger.address,
    });
    assert.equal(exitCodeOf(again.transactions, { to: proxyAddress }), ContractExitCode.closed);
    const saveState = await fixture.proxy.sendSaveState(fixture.proxyOwner.getSender(), {
      queryId: 1n, seqno: 1, sessionUniqueHash: Buffer.alloc(32), value: toNano('0.05'),
    });
    assert.equal(exitCodeOf(saveState.transactions, { to: proxyAddress }), 0, 'save-state still accepted');
  });

  test('close complete without a close request is a bad state (1005)', async () => {
    const fixture = await createSettlementFixture();
    const result = await fixture.proxy.sendSigned(fixture.stranger.getSender(), {
      value: toNano('1'), signedPayment: signed(fixture, SignedPaymentOp.proxyCloseComplete, fixture.proxy.address),
    });
    assert.equal(exitCodeOf(result.transactions, { to: fixture.proxy.address }), ContractExitCode.badState);
  });

  test('owner close: owner only (1004)', async () => {
    const fixture = await createSettlementFixture();
    const input = { value: toNano('0.2'), queryId: 1n, sendExcessesTo: fixture.stranger.address };
    const denied = await fixture.proxy.sendOwnerClose(fixture.stranger.getSender(), input);
    assert.equal(exitCodeOf(denied.transactions, { to: fixture.proxy.address }), ContractExitCode.accessDenied);
    const ok = await fixture.proxy.sendOwnerClose(fixture.proxyOwner.getSender(), input);
    assert.equal(exitCodeOf(ok.transactions, { to: fixture.proxy.address }), 0);
    assert.equal((await fixture.proxy.getProxyData()).state, ContractState.closing);
  });

  test('forged signature (1007) and wrong expected address (1015)', async () => {
    const fixture = await createSettlementFixture();
    const foreignKey = keyPairFromSeed(Buffer.alloc(32, 9));
    const forged = signPayment({
      op: SignedPaymentOp.proxyCloseRequest, queryId: 1n, expectedAddress: fixture.proxy.address, secretKey: foreignKey.secretKey,
    });
    const bad = await fixture.proxy.sendSigned(fixture.stranger.getSender(), { value: toNano('1'), signedPayment: forged });
    assert.equal(exitCodeOf(bad.transactions, { to: fixture.proxy.address }), ContractExitCode.badSignature);
    const elsewhere = signed(fixture, SignedPaymentOp.proxyCloseRequest, fixture.stranger.address);
    const wrong = await fixture.proxy.sendSigned(fixture.stranger.getSender(), { value: toNano('1'), signedPayment: elsewhere });
    assert.equal(exitCodeOf(wrong.transactions, { to: fixture.proxy.address }), ContractExitCode.expectedAddress);
    assert.equal((await fixture.proxy.getProxyData()).state, ContractState.normal);
  });

  test('client/worker requests from anyone but the derived contracts are refused (1014)', async () => {
    const fixture = await createSettlementFixture();
    const state = beginCell().storeUint(0, 2).storeCoins(0n).storeCoins(0n).storeUint(0, 64).storeUint(0, 256).endCell();
    const refund = beginCell().storeUint(0xc68ebc7b, 32).storeCoins(toNano('1')).storeAddress(fixture.stranger.address).endCell();
    const clientRequest = beginCell().storeUint(CLIENT_PROXY_REQUEST, 32).storeUint(1, 64)
      .storeAddress(fixture.stranger.address).storeRef(state).storeMaybeRef(refund).endCell();
    const fromTreasury = await fixture.stranger.send({ to: fixture.proxy.address, value: toNano('0.5'), body: clientRequest });
    assert.equal(exitCodeOf(fromTreasury.transactions, { to: fixture.proxy.address }), ContractExitCode.addressMismatch);

    const payout = beginCell().storeUint(0x08e7d036, 32).storeCoins(toNano('1')).storeCoins(0n).storeAddress(fixture.stranger.address).endCell();
    const workerRequest = beginCell().storeUint(WORKER_PROXY_REQUEST, 32).storeUint(1, 64)
      .storeAddress(fixture.stranger.address).storeUint(0, 2).storeUint(100, 64).storeMaybeRef(payout).endCell();
    const fromWorkerImpostor = await fixture.stranger.send({ to: fixture.proxy.address, value: toNano('0.5'), body: workerRequest });
    assert.equal(exitCodeOf(fromWorkerImpostor.transactions, { to: fixture.proxy.address }), ContractExitCode.addressMismatch);

    // A real client contract, but derived with another proxy key: its requests are refused too.
    const fake = fixture.blockchain.openContract(CocoonClientContract.fromConfig({
      ownerAddress: fixture.stranger.address, proxyAddress: fixture.proxy.address,
      proxyPublicKey: keyPairFromSeed(Buffer.alloc(32, 3)).publicKey, params: fixture.params,
    }));
    const fakeTopUp = await fake.sendTopUp(fixture.stranger.getSender(), {
      value: toNano('2'), queryId: 1n, amount: toNano('1'), sendExcessesTo: fixture.stranger.address,
    });
    assert.equal(exitCodeOf(fakeTopUp.transactions, { to: fake.address }), 0);
    assert.equal(exitCodeOf(fakeTopUp.transactions, { to: fixture.proxy.address, from: fake.address }), ContractExitCode.addressMismatch);
  });
});
