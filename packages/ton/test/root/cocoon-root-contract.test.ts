/**
 * Root contract on the sandbox: deployment with dev params, every admin op by the owner (state,
 * version and params_version changes), the same ops by a stranger (exit 1004), getters, and
 * `readRootConfig` over a SandboxChain.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Address, beginCell, toNano, type Cell } from '@ton/core';
import type { SandboxContract, TreasuryContract } from '@ton/sandbox';
import { SandboxChain } from '../../src/chain/sandbox-chain.ts';
import { loadContractCode } from '../../src/contracts/contract-compiler.ts';
import { buildRootState, readRootConfig, type RootConfig } from '../../src/root/index.ts';
import { CocoonRootContract, type RootAdminMessage } from '../../src/wrappers/cocoon-root-contract.ts';
import { exitCodeTo, testCocoonParams } from '../wallet/contract-test-helpers.ts';
import { ContractExitCode } from '../../src/contracts/contract-exit-codes.ts';

const hash = (byte: number): string => Buffer.alloc(32, byte).toString('hex');
const newCode = (label: string): Cell => beginCell().storeStringTail(label).endCell();

describe('cocoon root contract', () => {
  let chain: SandboxChain;
  let owner: SandboxContract<TreasuryContract>;
  let stranger: SandboxContract<TreasuryContract>;
  let root: SandboxContract<CocoonRootContract>;
  const params = testCocoonParams();

  async function send(from: SandboxContract<TreasuryContract>, message: RootAdminMessage): Promise<number> {
    const result = await from.send({ to: root.address, value: toNano('0.05'), body: CocoonRootContract.adminBody(message, 7n) });
    return exitCodeTo(result.transactions, { to: root.address });
  }

  async function stateHash(): Promise<string> {
    return (await chain.getAccount(root.address)).data?.hash().toString('hex') ?? '';
  }

  before(async () => {
    chain = await SandboxChain.create();
    owner = await chain.blockchain.treasury('root-owner');
    stranger = await chain.blockchain.treasury('stranger');
    root = chain.blockchain.openContract(CocoonRootContract.fromConfig({ owner: owner.address, params, proxyHashes: [hash(1)] }));
    const deploy = await root.sendDeploy(owner.getSender(), toNano('0.5'));
    assert.equal(exitCodeTo(deploy.transactions, { to: root.address }), 0);
  });

  test('deploys with dev params and answers every getter', async () => {
    const config = await root.getConfig();
    assert.ok(config.owner.equals(owner.address));
    assert.equal(config.version, 1);
    assert.equal(config.params.uniqueId, 13);
    assert.ok(config.params.proxyCode?.equals(params.proxyCode!));
    assert.deepEqual([...config.proxyHashes], [hash(1)]);
    assert.equal(await root.getVersion(), 1);
    assert.equal(await root.getLastProxySeqno(), 0);
    assert.ok((await root.getOwnerAddress()).equals(owner.address));
    assert.equal((await root.getParams()).pricePerToken, params.pricePerToken);
    assert.equal(await root.getHashIsValid('proxy', hash(1)), true);
    assert.equal(await root.getHashIsValid('proxy', hash(2)), false);
    assert.equal(await root.getHashIsValid('worker', hash(1)), false);
  });

  const cases: { message: RootAdminMessage; bumpsParams: boolean; check: (config: RootConfig) => void }[] = [
    { message: { type: 'addWorkerHash', hash: hash(3) }, bumpsParams: false, check: (c) => assert.ok(c.workerHashes.has(hash(3))) },
    { message: { type: 'addModelHash', hash: Buffer.alloc(32, 4) }, bumpsParams: false, check: (c) => assert.ok(c.modelHashes.has(hash(4))) },
    { message: { type: 'addProxyHash', hash: hash(5) }, bumpsParams: false, check: (c) => assert.deepEqual([...c.proxyHashes].sort(), [hash(1), hash(5)]) },
    { message: { type: 'delProxyHash', hash: hash(1) }, bumpsParams: false, check: (c) => assert.deepEqual([...c.proxyHashes], [hash(5)]) },
    { message: { type: 'addWorkerHash', hash: hash(6) }, bumpsParams: false, check: (c) => assert.equal(c.workerHashes.size, 2) },
    { message: { type: 'delWorkerHash', hash: hash(3) }, bumpsParams: false, check: (c) => assert.deepEqual([...c.workerHashes], [hash(6)]) },
    { message: { type: 'delModelHash', hash: hash(4) }, bumpsParams: false, check: (c) => assert.equal(c.modelHashes.size, 0) },
    {
      message: { type: 'registerProxy', address: '10.0.0.1:8801' }, bumpsParams: false,
      check: (c) => { assert.deepEqual(c.registeredProxies, [{ seqno: 1, address: '10.0.0.1:8801' }]); assert.equal(c.lastProxySeqno, 1); },
    },
    { message: { type: 'registerProxy', address: 'proxy.example:443' }, bumpsParams: false, check: (c) => assert.equal(c.lastProxySeqno, 2) },
    {
      message: { type: 'updateProxy', seqno: 1, address: '10.0.0.9:8801' }, bumpsParams: false,
      check: (c) => assert.deepEqual(c.registeredProxies[0], { seqno: 1, address: '10.0.0.9:8801' }),
    },
    {
      message: { type: 'unregisterProxy', seqno: 1 }, bumpsParams: false,
      check: (c) => { assert.deepEqual(c.registeredProxies, [{ seqno: 2, address: 'proxy.example:443' }]); assert.equal(c.lastProxySeqno, 2); },
    },
    {
      message: { type: 'changeFees', pricePerToken: 30n, workerFeePerToken: 25n }, bumpsParams: true,
      check: (c) => { assert.equal(c.params.pricePerToken, 30n); assert.equal(c.params.workerFeePerToken, 25n); },
    },
    {
      message: {
        type: 'changeParams', pricePerToken: 40n, workerFeePerToken: 33n, proxyDelayBeforeClose: 1200,
        clientDelayBeforeClose: 700, minProxyStake: toNano('3'), minClientStake: toNano('2'),
      },
      bumpsParams: true,
      check: (c) => {
        assert.deepEqual(
          [c.params.pricePerToken, c.params.workerFeePerToken, c.params.proxyDelayBeforeClose, c.params.clientDelayBeforeClose, c.params.minProxyStake, c.params.minClientStake],
          [40n, 33n, 1200, 700, toNano('3'), toNano('2')],
        );
        assert.equal(c.params.uniqueId, 13);
      },
    },
    {
      message: { type: 'upgradeContracts', proxyCode: newCode('p2'), workerCode: newCode('w2'), clientCode: newCode('c2') }, bumpsParams: true,
      check: (c) => {
        assert.ok(c.params.proxyCode?.equals(newCode('p2')));
        assert.ok(c.params.workerCode?.equals(newCode('w2')));
        assert.ok(c.params.clientCode?.equals(newCode('c2')));
      },
    },
    { message: { type: 'upgradeCode', newCode: loadContractCode('root') }, bumpsParams: false, check: (c) => assert.equal(c.lastProxySeqno, 2) },
    {
      message: { type: 'reset' }, bumpsParams: false,
      check: (c) => {
        assert.equal(c.proxyHashes.size + c.workerHashes.size + c.modelHashes.size + c.registeredProxies.length, 0);
        assert.equal(c.lastProxySeqno, 2);
      },
    },
  ];

  for (const { message, bumpsParams, check } of cases) {
    test(`${message.type}: stranger gets 1004, owner changes state and version`, async () => {
      const before = await root.getConfig();
      const stateBefore = await stateHash();
      assert.equal(await send(stranger, message), ContractExitCode.accessDenied);
      assert.equal(await stateHash(), stateBefore);
      assert.equal(await send(owner, message), 0);
      const after = await root.getConfig();
      assert.equal(after.version, before.version + 1);
      assert.equal(after.params.paramsVersion, before.params.paramsVersion + (bumpsParams ? 1 : 0));
      check(after);
    });
  }

  test('update of an unknown proxy seqno exits 1005, unknown op 1012, plain transfers are accepted', async () => {
    assert.equal(await send(owner, { type: 'updateProxy', seqno: 99, address: 'x' }), ContractExitCode.badState);
    const unknown = await owner.send({ to: root.address, value: toNano('0.05'), body: beginCell().storeUint(0x12345678, 32).storeUint(0, 64).endCell() });
    assert.equal(exitCodeTo(unknown.transactions, { to: root.address }), ContractExitCode.unknownOp);
    const transfer = await stranger.send({ to: root.address, value: toNano('0.05') });
    assert.equal(exitCodeTo(transfer.transactions, { to: root.address }), 0);
  });

  test('changeOwner hands admin rights to the new owner', async () => {
    const before = await root.getConfig();
    assert.equal(await send(stranger, { type: 'changeOwner', newOwner: stranger.address }), ContractExitCode.accessDenied);
    assert.equal(await send(owner, { type: 'changeOwner', newOwner: stranger.address }), 0);
    const after = await root.getConfig();
    assert.ok(after.owner.equals(stranger.address));
    assert.equal(after.version, before.version + 1);
    assert.equal(await send(owner, { type: 'addModelHash', hash: hash(9) }), ContractExitCode.accessDenied);
    assert.equal(await send(stranger, { type: 'changeOwner', newOwner: owner.address }), 0);
  });

  test('readRootConfig parses the deployed state through the Chain port', async () => {
    const config = await readRootConfig(chain, root.address);
    const direct = await root.getConfig();
    assert.equal(config.version, direct.version);
    assert.deepEqual(config.registeredProxies, direct.registeredProxies);
    assert.deepEqual(config.params.paramsVersion, direct.params.paramsVersion);
    assert.ok(config.params.clientCode?.equals(direct.params.clientCode!));
    assert.ok(config.owner.equals(owner.address));
    await assert.rejects(readRootConfig(chain, stranger.address), { code: 'CCN_ERR_TON_CONTRACT_MISMATCH' });
    await assert.rejects(readRootConfig(chain, new Address(0, Buffer.alloc(32, 0x42))), /not deployed/);
  });

  test('upgradeFull replaces data and code; stranger gets 1004', async () => {
    const newData = buildRootState({ owner: owner.address, params, version: 100, workerHashes: [hash(7)], lastProxySeqno: 5 });
    const message: RootAdminMessage = { type: 'upgradeFull', newData, newCode: loadContractCode('root') };
    assert.equal(await send(stranger, message), ContractExitCode.accessDenied);
    assert.equal(await send(owner, message), 0);
    const config = await root.getConfig();
    assert.equal(config.version, 100);
    assert.deepEqual([...config.workerHashes], [hash(7)]);
    assert.equal(config.lastProxySeqno, 5);
  });

  test('upgradeCode installs the new code', async () => {
    const placeholder = newCode('root v2');
    assert.equal(await send(owner, { type: 'upgradeCode', newCode: placeholder }), 0);
    const account = await chain.getAccount(root.address);
    assert.ok(account.code?.equals(placeholder));
  });
});
