/**
 * Proxy contract events (§6.4–§6.7) from real sandbox transactions: save-state marks (even the
 * 1-nanoTON ones that buy no gas), every client notification payload (top-up, register nonce,
 * refund granted, refund force, none), worker payouts with their split; a forged notification the
 * contract aborted yields nothing, and so do foreign, external, truncated or unknown messages.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Address, beginCell, toNano, type Transaction } from '@ton/core';
import { CocoonProxyContract } from '../../src/wrappers/cocoon-proxy-contract.ts';
import { ContractOp } from '../../src/contracts/contract-opcodes.ts';
import { ContractExitCode } from '../../src/contracts/contract-exit-codes.ts';
import { SignedPaymentOp } from '../../src/payments/signed-payment.ts';
import { parseProxyContractTransaction, type ProxyContractEvent } from '../../src/state/proxy-contract-events.ts';
import { createSettlementFixture, deployClient, exitCodeOf, findTransaction, signed, START_TIME, type SettlementFixture } from '../contracts/settlement-fixture.ts';

function eventsAtProxy(fixture: SettlementFixture, transactions: Transaction[]): ProxyContractEvent[] {
  return transactions
    .filter((transaction) => transaction.inMessage?.info.dest instanceof Address && transaction.inMessage.info.dest.equals(fixture.proxy.address))
    .map(parseProxyContractTransaction)
    .filter((event): event is ProxyContractEvent => event !== null);
}

function only<K extends ProxyContractEvent['kind']>(events: ProxyContractEvent[], kind: K): Extract<ProxyContractEvent, { kind: K }> {
  assert.equal(events.length, 1, `one event, got ${events.map((event) => event.kind).join(', ')}`);
  const [event] = events;
  assert.equal(event?.kind, kind);
  return event as Extract<ProxyContractEvent, { kind: K }>;
}

const clientOwnerInput = (fixture: SettlementFixture) => ({ value: toNano('0.7'), queryId: 3n, sendExcessesTo: fixture.clientOwner.address });

describe('proxy contract events', () => {
  test('save-state marks are events with or without gas, authenticated by their sender', async () => {
    const fixture = await createSettlementFixture();
    const hash = Buffer.alloc(32, 0x5a);
    for (const [seqno, value] of [[41, undefined], [42, toNano('0.05')]] as const) {
      const result = await fixture.proxy.sendSaveState(fixture.proxyOwner.getSender(), { queryId: 9n, seqno, sessionUniqueHash: hash, ...(value ? { value } : {}) });
      const event = only(eventsAtProxy(fixture, result.transactions), 'save-state');
      assert.deepEqual([event.seqno, event.sessionHash], [seqno, hash]);
      assert.ok(event.from?.equals(fixture.proxyOwner.address));
      assert.equal(event.lt, findTransaction(result.transactions, { to: fixture.proxy.address })?.lt);
    }
  });

  test('client notifications carry the client state and their payload', async () => {
    const fixture = await createSettlementFixture();
    const deploy = only(eventsAtProxy(fixture, await deployClient(fixture, toNano('10'))), 'client');
    assert.ok(deploy.from?.equals(fixture.client.address));
    assert.ok(deploy.ownerAddress.equals(fixture.clientOwner.address));
    assert.deepEqual(deploy.payload, { kind: 'top-up', coins: toNano('10') });
    assert.deepEqual([deploy.state.status, deploy.state.balance, deploy.state.stake, deploy.state.tokensUsed], ['normal', toNano('10'), fixture.params.minClientStake, 0n]);

    const register = await fixture.client.sendRegister(fixture.clientOwner.getSender(), { ...clientOwnerInput(fixture), nonce: 0xfeedn });
    assert.deepEqual(only(eventsAtProxy(fixture, register.transactions), 'client').payload, { kind: 'register', nonce: 0xfeedn });

    const charge = await fixture.client.sendSigned(fixture.proxyOwner.getSender(), { value: toNano('0.7'), signedPayment: signed(fixture, SignedPaymentOp.clientCharge, fixture.client.address, 1000n) });
    const charged = only(eventsAtProxy(fixture, charge.transactions), 'client');
    assert.equal(charged.payload, null);
    assert.deepEqual([charged.state.tokensUsed, charged.state.balance], [1000n, toNano('10') - 1000n * fixture.params.pricePerToken]);

    const withdraw = await fixture.client.sendWithdraw(fixture.clientOwner.getSender(), clientOwnerInput(fixture));
    const withdrawn = only(eventsAtProxy(fixture, withdraw.transactions), 'client');
    assert.deepEqual(withdrawn.payload, { kind: 'refund-granted', coins: charged.state.balance - fixture.params.minClientStake });
    assert.equal(withdrawn.state.balance, fixture.params.minClientStake);

    const close = await fixture.client.sendRequestRefund(fixture.clientOwner.getSender(), clientOwnerInput(fixture));
    assert.equal(only(eventsAtProxy(fixture, close.transactions), 'client').state.status, 'closing');
    fixture.blockchain.now = START_TIME + fixture.params.clientDelayBeforeClose + 1;
    const force = await fixture.client.sendRequestRefund(fixture.clientOwner.getSender(), clientOwnerInput(fixture));
    const forced = only(eventsAtProxy(fixture, force.transactions), 'client');
    assert.deepEqual(forced.payload, { kind: 'refund-force', coins: fixture.params.minClientStake });
    assert.deepEqual([forced.state.status, forced.state.balance], ['closed', 0n]);
  });

  test('worker notifications: registration without payout, signed payouts with the fee split', async () => {
    const fixture = await createSettlementFixture();
    await deployClient(fixture, toNano('50'));
    await fixture.worker.sendDeploy(fixture.workerOwner.getSender(), { value: toNano('0.3') });
    const register = await fixture.worker.sendRegister(fixture.workerOwner.getSender(), { value: toNano('0.3'), queryId: 4n, sendExcessesTo: fixture.workerOwner.address });
    const registered = only(eventsAtProxy(fixture, register.transactions), 'worker');
    assert.deepEqual([registered.status, registered.tokens, registered.payout], ['normal', 0n, null]);
    assert.ok(registered.ownerAddress.equals(fixture.workerOwner.address) && registered.from?.equals(fixture.worker.address));

    const payout = await fixture.worker.sendSigned(fixture.workerOwner.getSender(), { value: toNano('0.5'), signedPayment: signed(fixture, SignedPaymentOp.workerPayout, fixture.worker.address, 1000n) });
    const paid = only(eventsAtProxy(fixture, payout.transactions), 'worker');
    const { pricePerToken: price, workerFeePerToken: fee } = fixture.params;
    assert.deepEqual([paid.tokens, paid.payout], [1000n, { workerPart: 1000n * fee, proxyPart: 1000n * (price - fee) }]);
  });

  test('a forged client notification that the contract aborted yields nothing', async () => {
    const fixture = await createSettlementFixture();
    const state = beginCell().storeUint(0, 2).storeCoins(toNano('1000')).storeCoins(0).storeUint(0, 64).storeUint(0, 256).endCell();
    const body = beginCell().storeUint(ContractOp.clientProxyRequest, 32).storeUint(1, 64).storeAddress(fixture.stranger.address).storeRef(state)
      .storeMaybeRef(beginCell().storeUint(ContractOp.clientProxyTopUp, 32).storeCoins(toNano('1000')).endCell()).endCell();
    const result = await fixture.stranger.send({ to: fixture.proxy.address, value: toNano('1'), body });
    assert.equal(exitCodeOf(result.transactions, { to: fixture.proxy.address }), ContractExitCode.addressMismatch);
    const transaction = findTransaction(result.transactions, { to: fixture.proxy.address });
    assert.ok(transaction);
    assert.equal(parseProxyContractTransaction(transaction), null);
    // The same body in an accepted transaction would be an event: the refusal is what hides it.
    const description = transaction.description;
    assert.ok(description.type === 'generic' && description.computePhase.type === 'vm');
    const accepted = { ...transaction, description: { ...description, aborted: false, computePhase: { ...description.computePhase, success: true } } } as Transaction;
    assert.deepEqual((parseProxyContractTransaction(accepted) as { payload: unknown } | null)?.payload, { kind: 'top-up', coins: toNano('1000') });
  });

  test('foreign, external, truncated and unknown messages yield nothing', async () => {
    const fixture = await createSettlementFixture();
    const sent = await fixture.stranger.send({ to: fixture.proxy.address, value: toNano('0.1'), body: beginCell().storeUint(ContractOp.clientProxyRequest, 32).storeUint(1, 64).endCell() });
    const template = findTransaction(sent.transactions, { to: fixture.proxy.address });
    assert.ok(template);
    const withBody = (body: ReturnType<typeof beginCell>) => ({
      ...template,
      description: { type: 'generic', aborted: false, computePhase: { type: 'vm', success: true } },
      inMessage: { ...template.inMessage!, body: body.endCell() },
    }) as unknown as Transaction;
    const saveState = (innerOp: number) => beginCell().storeUint(ContractOp.doNotProcess, 32).storeUint(1, 64).storeUint(innerOp, 32).storeInt(5, 32).storeUint(0, 256);
    assert.equal(parseProxyContractTransaction(withBody(saveState(ContractOp.proxySaveState)))?.kind, 'save-state', 'the template itself parses');
    const cases: Array<[string, Transaction]> = [
      ['the truncated notification the contract refused', template],
      ['an empty body', withBody(beginCell())],
      ['a body shorter than an op', withBody(beginCell().storeUint(1, 31))],
      ['an unknown op', withBody(beginCell().storeUint(0x12345678, 32).storeUint(0, 64))],
      ['do_not_process around another op', withBody(saveState(ContractOp.excesses))],
      ['a save-state cut before its hash', withBody(beginCell().storeUint(ContractOp.doNotProcess, 32).storeUint(1, 64).storeUint(ContractOp.proxySaveState, 32).storeInt(5, 32))],
      ['a client notification in state 3', withBody(beginCell().storeUint(ContractOp.clientProxyRequest, 32).storeUint(1, 64).storeAddress(fixture.stranger.address)
        .storeRef(beginCell().storeUint(3, 2).storeCoins(0).storeCoins(0).storeUint(0, 64).storeUint(0, 256).endCell()).storeBit(false))],
      ['an external-in message', { ...template, inMessage: { ...template.inMessage!, info: { type: 'external-in', src: null, dest: fixture.proxy.address, importFee: 0n } } } as Transaction],
      ['a non-generic transaction', { ...template, description: { type: 'tick-tock' } } as unknown as Transaction],
      ['no inbound message', { ...template, inMessage: undefined } as Transaction],
    ];
    for (const [name, transaction] of cases) assert.equal(parseProxyContractTransaction(transaction), null, name);
  });

  test('a worker notification with a foreign payload reports no payout', async () => {
    const fixture = await createSettlementFixture();
    const sent = await fixture.stranger.send({ to: fixture.proxy.address, value: toNano('0.1'), body: beginCell().endCell() });
    const template = findTransaction(sent.transactions, { to: fixture.proxy.address })!;
    const body = beginCell().storeUint(ContractOp.workerProxyRequest, 32).storeUint(1, 64).storeAddress(fixture.workerOwner.address).storeUint(2, 2).storeUint(77, 64)
      .storeMaybeRef(beginCell().storeUint(ContractOp.excesses, 32).storeCoins(5).storeCoins(6).endCell()).endCell();
    const event = parseProxyContractTransaction({ ...template, inMessage: { ...template.inMessage!, body } } as Transaction);
    assert.deepEqual(event && event.kind === 'worker' ? [event.status, event.tokens, event.payout] : null, ['closed', 77n, null]);
    assert.equal(CocoonProxyContract.readSaveStateBody(body), null);
  });
});
