/**
 * Contract address derivation (§6.1, §3.1 step 3): the addresses every runner derives equal the
 * ones the wrappers deploy on the sandbox (and the proxy contract re-derives to authenticate
 * client and worker requests); each input moves the address it belongs to and only that one;
 * uint256 key conversion boundaries; a params set without a code cannot derive.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Address, beginCell, toNano } from '@ton/core';
import { isCocoonError } from '@cocoon/protocol';
import {
  bufferToUint256, clientContractData, settlementContractAddress, uint256ToBuffer, workerContractData,
} from '../../src/addresses/settlement-contract-data.ts';
import { CocoonContractSet, deriveClientContract, deriveProxyContract, deriveWorkerContract, sameAddress } from '../../src/state/cocoon-contract-set.ts';
import { CocoonProxyContract } from '../../src/wrappers/cocoon-proxy-contract.ts';
import { ContractOp } from '../../src/contracts/contract-opcodes.ts';
import { allSucceeded, createSettlementFixture, deployClient, exitCodeOf, settlementParams } from '../contracts/settlement-fixture.ts';

const params = settlementParams();
const proxyOwner = new Address(0, Buffer.alloc(32, 0x10));
const rootAddress = new Address(0, Buffer.alloc(32, 0x20));
const clientOwner = new Address(0, Buffer.alloc(32, 0x30));
const proxyKey = Buffer.alloc(32, 0x40);
const set = new CocoonContractSet(params, proxyOwner, proxyKey, rootAddress);

describe('settlement contract addresses', () => {
  test('uint256 conversions: 32 big-endian bytes both ways, other lengths refused', () => {
    const bytes = Buffer.from(`01${'00'.repeat(30)}ff`, 'hex');
    assert.equal(bufferToUint256(bytes), (1n << 248n) + 255n);
    assert.deepEqual(uint256ToBuffer((1n << 248n) + 255n), bytes);
    assert.deepEqual(uint256ToBuffer(0n), Buffer.alloc(32));
    assert.deepEqual(uint256ToBuffer(2n ** 256n - 1n), Buffer.alloc(32, 0xff));
    for (const length of [0, 31, 33]) assert.throws(() => bufferToUint256(Buffer.alloc(length)), RangeError);
  });

  test('the derived addresses are the ones the sandbox deploys and the proxy contract accepts', async () => {
    const fixture = await createSettlementFixture();
    const derivedSet = new CocoonContractSet(fixture.params, fixture.proxyOwner.address, fixture.proxyKeys.publicKey, (await fixture.blockchain.treasury('root')).address);
    assert.ok(derivedSet.proxy.address.equals(fixture.proxy.address));
    assert.ok(derivedSet.client(fixture.clientOwner.address).address.equals(fixture.client.address));
    assert.ok(derivedSet.worker(fixture.workerOwner.address).address.equals(fixture.worker.address));
    assert.equal((await fixture.blockchain.getContract(fixture.proxy.address)).accountState?.type, 'active');
    // The proxy contract re-derives the client contract's address from its own data: a deploy
    // of the derived client contract notifies it without an address mismatch.
    const transactions = await deployClient(fixture, toNano('2'));
    assert.ok(allSucceeded(transactions));
    assert.equal(exitCodeOf(transactions, { to: fixture.proxy.address, from: fixture.client.address, op: ContractOp.clientProxyRequest }), 0);
  });

  test('the derived state-init is code + data as stored', () => {
    const client = set.client(clientOwner);
    assert.ok(client.init.code?.equals(params.clientCode!));
    assert.ok(client.init.data?.equals(clientContractData({ ownerAddress: clientOwner, proxyAddress: set.proxy.address, proxyPublicKey: proxyKey, params })));
    assert.ok(client.address.equals(settlementContractAddress(params.clientCode!, client.init.data!)));
    assert.equal(client.address.workChain, 0);
    const worker = deriveWorkerContract(params, clientOwner, set.proxy.address, proxyKey);
    assert.ok(worker.init.data?.equals(workerContractData({ ownerAddress: clientOwner, proxyAddress: set.proxy.address, proxyPublicKey: proxyKey, params })));
    assert.ok(set.worker(clientOwner).address.equals(worker.address));
  });

  test('client and worker contracts of one owner at one proxy differ', () => {
    assert.ok(!set.client(clientOwner).address.equals(set.worker(clientOwner).address));
  });

  const otherCode = beginCell().storeStringTail('other code').endCell();
  const proxyAddress = set.proxy.address;
  const derive = (changed: { params?: typeof params; owner?: Address; proxy?: Address; key?: Buffer }) => ({
    client: deriveClientContract(changed.params ?? params, changed.owner ?? clientOwner, changed.proxy ?? proxyAddress, changed.key ?? proxyKey).address,
    worker: deriveWorkerContract(changed.params ?? params, changed.owner ?? clientOwner, changed.proxy ?? proxyAddress, changed.key ?? proxyKey).address,
  });
  const base = derive({});
  // Client and worker contracts store params without code: another contract's code does not move them.
  const partyInputs: Array<[string, Parameters<typeof derive>[0], { client: boolean; worker: boolean }]> = [
    ['the owner', { owner: proxyOwner }, { client: true, worker: true }],
    ['the proxy address', { proxy: rootAddress }, { client: true, worker: true }],
    ['the proxy key', { key: Buffer.alloc(32, 0x41) }, { client: true, worker: true }],
    ['the price', { params: { ...params, pricePerToken: params.pricePerToken + 1n } }, { client: true, worker: true }],
    ['the params version', { params: { ...params, paramsVersion: params.paramsVersion + 1 } }, { client: true, worker: true }],
    ['the client code', { params: { ...params, clientCode: otherCode } }, { client: true, worker: false }],
    ['the worker code', { params: { ...params, workerCode: otherCode } }, { client: false, worker: true }],
    ['the proxy code', { params: { ...params, proxyCode: otherCode } }, { client: false, worker: false }],
  ];
  for (const [name, changed, moved] of partyInputs) {
    test(`client/worker addresses at one proxy: changing ${name} moves ${[moved.client && 'client', moved.worker && 'worker'].filter(Boolean).join(' and ') || 'neither'}`, () => {
      const other = derive(changed);
      assert.equal(!other.client.equals(base.client), moved.client, 'client');
      assert.equal(!other.worker.equals(base.worker), moved.worker, 'worker');
    });
  }

  test('the proxy address follows its owner, key, root, prices and every code (it stores the worker and client code)', () => {
    const proxyFor = (changed: Partial<{ params: typeof params; owner: Address; key: Buffer; root: Address }>) =>
      deriveProxyContract(changed.params ?? params, changed.owner ?? proxyOwner, changed.key ?? proxyKey, changed.root ?? rootAddress).address;
    assert.ok(proxyFor({}).equals(CocoonProxyContract.fromConfig({ ownerAddress: proxyOwner, proxyPublicKey: proxyKey, rootAddress, params }).address));
    const changes = [
      { owner: clientOwner }, { key: Buffer.alloc(32, 0x41) }, { root: clientOwner }, { params: { ...params, workerFeePerToken: 1n } },
      { params: { ...params, proxyCode: otherCode } }, { params: { ...params, workerCode: otherCode } }, { params: { ...params, clientCode: otherCode } },
    ];
    const addresses = new Set([proxyFor({}), ...changes.map(proxyFor)].map((address) => address.toRawString()));
    assert.equal(addresses.size, changes.length + 1, 'every change gives a new address');
  });

  test('params without a code cannot derive that contract (CCN_ERR_TON_CONTRACT_MISMATCH)', () => {
    const refused = (what: string) => (error: unknown) => isCocoonError(error) && error.code === 'CCN_ERR_TON_CONTRACT_MISMATCH' && error.message.includes(`no ${what} code`);
    assert.throws(() => new CocoonContractSet({ ...params, proxyCode: null }, proxyOwner, proxyKey, rootAddress), refused('proxy'));
    const noClient = new CocoonContractSet({ ...params, clientCode: null }, proxyOwner, proxyKey, rootAddress);
    assert.throws(() => noClient.client(clientOwner), refused('client'));
    assert.ok(noClient.worker(clientOwner).address);
    assert.throws(() => deriveWorkerContract({ ...params, workerCode: null }, clientOwner, set.proxy.address, proxyKey), refused('worker'));
  });

  test('sameAddress compares raw and user-friendly spellings; unparsable input is false', () => {
    const raw = clientOwner.toRawString();
    const cases: Array<[string | Address, string | Address, boolean]> = [
      [raw, clientOwner.toString(), true],
      [clientOwner.toString({ bounceable: false }), clientOwner, true],
      [clientOwner.toString({ urlSafe: false }), raw, true],
      [raw, proxyOwner, false],
      [`-1:${raw.slice(2)}`, raw, false],
      ['not an address', raw, false],
      ['', '', false],
    ];
    for (const [left, right, expected] of cases) assert.equal(sameAddress(left, right), expected, `${String(left)} vs ${String(right)}`);
  });
});
