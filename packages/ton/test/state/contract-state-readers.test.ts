/**
 * Contract data readers (§6.1): freshly built data cells parse back; on the sandbox, the data read
 * straight from the accounts agrees with the contracts' own getters after real operations
 * (charge, secret change, payout, owner close); unknown states and malformed cells are
 * CCN_ERR_TON_CONTRACT_MISMATCH; readContractData skips undeployed accounts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Address, beginCell, toNano, type Cell } from '@ton/core';
import { isCocoonError } from '@cocoon/protocol';
import type { Chain, ChainAccount } from '../../src/chain/chain.ts';
import { clientContractData, proxyContractData, workerContractData } from '../../src/addresses/settlement-contract-data.ts';
import {
  contractStatusOf, parseClientContractData, parseProxyContractData, parseWorkerContractData, readContractData,
} from '../../src/state/contract-state-readers.ts';
import { SignedPaymentOp } from '../../src/payments/signed-payment.ts';
import { allSucceeded, createSettlementFixture, deployClient, settlementParams, signed, START_TIME } from '../contracts/settlement-fixture.ts';
import type { Blockchain } from '@ton/sandbox';

const owner = new Address(0, Buffer.alloc(32, 0x01));
const proxyAddress = new Address(0, Buffer.alloc(32, 0x02));
const rootAddress = new Address(0, Buffer.alloc(32, 0x03));
const proxyPublicKey = Buffer.alloc(32, 0xa7);
const params = settlementParams();

const mismatch = (pattern?: RegExp) => (error: unknown) =>
  isCocoonError(error) && error.code === 'CCN_ERR_TON_CONTRACT_MISMATCH' && (pattern === undefined || pattern.test(error.message));

async function dataOf(blockchain: Blockchain, address: Address): Promise<Cell> {
  const state = (await blockchain.getContract(address)).accountState;
  assert.ok(state?.type === 'active' && state.state.data, `${address.toString()} is active`);
  return state.state.data;
}

describe('contract state readers', () => {
  test('initial data cells parse back with normal state, zero counters and code-stripped params', () => {
    const proxy = parseProxyContractData(proxyContractData({ ownerAddress: owner, proxyPublicKey, rootAddress, params }));
    assert.ok(proxy.ownerAddress.equals(owner) && proxy.rootAddress.equals(rootAddress));
    assert.deepEqual([proxy.proxyPublicKey, proxy.status, proxy.balance, proxy.stake, proxy.unlockTs], [proxyPublicKey, 'normal', 0n, 0n, 0]);
    assert.equal(proxy.params.proxyCode, null);
    assert.ok(proxy.params.workerCode?.equals(params.workerCode!) && proxy.params.clientCode?.equals(params.clientCode!));

    const client = parseClientContractData(clientContractData({ ownerAddress: owner, proxyAddress, proxyPublicKey, params }));
    assert.ok(client.ownerAddress.equals(owner) && client.proxyAddress.equals(proxyAddress));
    assert.deepEqual(
      [client.proxyPublicKey, client.status, client.balance, client.stake, client.tokensUsed, client.unlockTs, client.secretHash],
      [proxyPublicKey, 'normal', 0n, params.minClientStake, 0n, 0, Buffer.alloc(32)],
    );
    assert.deepEqual([client.params.proxyCode, client.params.workerCode, client.params.clientCode], [null, null, null]);

    const worker = parseWorkerContractData(workerContractData({ ownerAddress: owner, proxyAddress, proxyPublicKey, params }));
    assert.ok(worker.ownerAddress.equals(owner) && worker.proxyAddress.equals(proxyAddress));
    assert.deepEqual([worker.proxyPublicKey, worker.status, worker.tokens, worker.params.pricePerToken], [proxyPublicKey, 'normal', 0n, params.pricePerToken]);
  });

  test('account data agrees with the contract getters after charges, secret changes, payouts and an owner close', async () => {
    const fixture = await createSettlementFixture();
    assert.ok(allSucceeded(await deployClient(fixture, toNano('20'))));
    const secretHash = Buffer.alloc(32, 0x5e);
    await fixture.client.sendChangeSecretHash(fixture.clientOwner.getSender(), { value: toNano('0.7'), queryId: 1n, sendExcessesTo: fixture.clientOwner.address, secretHash });
    await fixture.client.sendSigned(fixture.proxyOwner.getSender(), { value: toNano('0.7'), signedPayment: signed(fixture, SignedPaymentOp.clientCharge, fixture.client.address, 1000n) });
    await fixture.worker.sendDeploy(fixture.workerOwner.getSender(), { value: toNano('0.3') });
    await fixture.worker.sendSigned(fixture.workerOwner.getSender(), { value: toNano('0.5'), signedPayment: signed(fixture, SignedPaymentOp.workerPayout, fixture.worker.address, 400n) });
    await fixture.proxy.sendOwnerClose(fixture.proxyOwner.getSender(), { value: toNano('0.5'), queryId: 2n, sendExcessesTo: fixture.proxyOwner.address });

    const client = parseClientContractData(await dataOf(fixture.blockchain, fixture.client.address));
    const clientGetter = await fixture.client.getClientData();
    assert.deepEqual(
      [client.balance, client.stake, client.tokensUsed, client.unlockTs, client.secretHash, client.proxyPublicKey],
      [clientGetter.balance, clientGetter.stake, clientGetter.tokensUsed, clientGetter.unlockTs, clientGetter.secretHash, clientGetter.proxyPublicKey],
    );
    assert.deepEqual([client.tokensUsed, client.secretHash, client.status], [1000n, secretHash, 'normal']);
    assert.ok(client.ownerAddress.equals(clientGetter.ownerAddress) && client.proxyAddress.equals(fixture.proxy.address));

    const worker = parseWorkerContractData(await dataOf(fixture.blockchain, fixture.worker.address));
    assert.deepEqual([worker.tokens, worker.status], [400n, 'normal']);
    assert.equal(worker.tokens, (await fixture.worker.getWorkerData()).tokens);

    const proxy = parseProxyContractData(await dataOf(fixture.blockchain, fixture.proxy.address));
    const proxyGetter = await fixture.proxy.getProxyData();
    assert.deepEqual([proxy.balance, proxy.stake, proxy.unlockTs], [proxyGetter.balance, proxyGetter.stake, proxyGetter.unlockTs]);
    assert.equal(proxy.status, contractStatusOf(proxyGetter.state));
    assert.equal(proxy.status, 'closing', 'the owner close starts closing');
    assert.ok(proxy.unlockTs >= START_TIME + params.proxyDelayBeforeClose, `unlock_ts ${proxy.unlockTs}`);
  });

  test('contract states: 0 normal, 1 closing, 2 closed, anything else is a mismatch', () => {
    assert.deepEqual([0, 1, 2].map(contractStatusOf), ['normal', 'closing', 'closed']);
    for (const state of [3, -1, 4]) assert.throws(() => contractStatusOf(state), mismatch(new RegExp(`unknown contract state ${state}`)));
  });

  const malformed: Array<[string, () => unknown]> = [
    ['an empty proxy cell', () => parseProxyContractData(beginCell().endCell())],
    ['a proxy cell without params', () => parseProxyContractData(beginCell().storeAddress(owner).storeBuffer(proxyPublicKey).storeAddress(rootAddress).storeUint(0, 2).storeCoins(0).storeCoins(0).storeUint(0, 32).endCell())],
    ['a client cell in state 3', () => parseClientContractData(beginCell().storeUint(3, 2).endCell())],
    ['a client cell without its constants ref', () => parseClientContractData(beginCell().storeUint(0, 2).storeCoins(0).storeCoins(0).storeUint(0, 64).storeUint(0, 32).storeUint(0, 256).endCell())],
    ['a worker cell given a client layout', () => parseWorkerContractData(clientContractData({ ownerAddress: owner, proxyAddress, proxyPublicKey, params }))],
    ['a worker cell with a truncated params ref', () => parseWorkerContractData(beginCell().storeAddress(owner).storeAddress(proxyAddress).storeBuffer(proxyPublicKey).storeUint(0, 2).storeUint(0, 64).storeRef(beginCell().storeUint(3, 8).endCell()).endCell())],
  ];
  for (const [name, parse] of malformed) {
    test(`${name} is CCN_ERR_TON_CONTRACT_MISMATCH`, () => assert.throws(parse, mismatch()));
  }

  test('readContractData: undefined until the account is active with data, then data and balance', async () => {
    const data = workerContractData({ ownerAddress: owner, proxyAddress, proxyPublicKey, params });
    const accounts: ChainAccount[] = [
      { state: 'uninit', balance: 5n, code: null, data: null, lastTransaction: null },
      { state: 'frozen', balance: 5n, code: null, data, lastTransaction: null },
      { state: 'active', balance: 5n, code: params.workerCode, data: null, lastTransaction: null },
      { state: 'active', balance: 77n, code: params.workerCode, data, lastTransaction: null },
    ];
    const asked: string[] = [];
    let next = 0;
    const chain = { getAccount: async (address: Address) => { asked.push(address.toRawString()); return accounts[next++]!; } } as unknown as Chain;
    for (let index = 0; index < 3; index++) assert.equal(await readContractData(chain, proxyAddress, parseWorkerContractData), undefined);
    const read = await readContractData(chain, proxyAddress, parseWorkerContractData);
    assert.equal(read?.balance, 77n);
    assert.equal(read?.data.tokens, 0n);
    assert.deepEqual(new Set(asked), new Set([proxyAddress.toRawString()]));
  });
});
