/**
 * RootConfigWatcher on a sandbox chain with a real root contract: admin ops raise the root
 * version (listeners see next/previous), change_fees also raises params_version (the params
 * listener fires only then), a lower/equal version is ignored, read failures are logged and
 * retried (never thrown to the timer), staleness follows the injected clock, close() stops.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { toNano } from '@ton/core';
import type { SandboxContract, TreasuryContract } from '@ton/sandbox';
import { CocoonError, createLogger } from '@cocoon/protocol';
import { SandboxChain } from '../../src/chain/sandbox-chain.ts';
import { RootConfigWatcher, readRootConfig, type RootConfig } from '../../src/root/index.ts';
import { CocoonRootContract, type RootAdminMessage } from '../../src/wrappers/cocoon-root-contract.ts';
import { testCocoonParams } from '../wallet/contract-test-helpers.ts';

const logger = createLogger('test', { level: 'error' });

describe('RootConfigWatcher', () => {
  let chain: SandboxChain;
  let owner: SandboxContract<TreasuryContract>;
  let root: SandboxContract<CocoonRootContract>;

  async function admin(message: RootAdminMessage): Promise<void> {
    await owner.send({ to: root.address, value: toNano('0.05'), body: CocoonRootContract.adminBody(message, 1n) });
  }

  before(async () => {
    chain = await SandboxChain.create();
    owner = await chain.blockchain.treasury('root-owner');
    root = chain.blockchain.openContract(CocoonRootContract.fromConfig({ owner: owner.address, params: testCocoonParams() }));
    await root.sendDeploy(owner.getSender(), toNano('0.5'));
  });

  test('accepts higher versions, reports params changes separately, ignores equal versions', async () => {
    let clock = 1_000_000;
    const watcher = await RootConfigWatcher.open({ chain, rootAddress: root.address, logger, now: () => clock });
    const changes: Array<[number, number]> = [];
    const paramsChanges: Array<[number, number]> = [];
    watcher.onChange((next, previous) => { changes.push([previous.version, next.version]); });
    watcher.onParamsChanged((next, previous) => { paramsChanges.push([previous.params.paramsVersion, next.params.paramsVersion]); });
    const start = watcher.current;
    assert.equal(watcher.lastSyncedAt, 1_000_000);

    clock += 10;
    await watcher.refresh();
    assert.deepEqual(changes, [], 'same version: no change');
    assert.equal(watcher.lastSyncedAt, 1_000_010, 'a successful read counts as a sync');

    await admin({ type: 'addWorkerHash', hash: Buffer.alloc(32, 3) });
    await watcher.refresh();
    assert.deepEqual(changes, [[start.version, start.version + 1]]);
    assert.deepEqual(paramsChanges, [], 'a worker hash does not change the params');
    assert.ok(watcher.current.workerHashes.has(Buffer.alloc(32, 3).toString('hex')));

    await admin({ type: 'changeFees', pricePerToken: 40n, workerFeePerToken: 30n });
    const after = await watcher.refresh();
    assert.equal(after.params.pricePerToken, 40n);
    assert.deepEqual(paramsChanges, [[start.params.paramsVersion, start.params.paramsVersion + 1]]);
    assert.equal(changes.length, 2);
    watcher.close();
  });

  test('never accepts a lower version (e.g. a lagging endpoint)', async () => {
    const newest = await readRootConfig(chain, root.address);
    const older: RootConfig = { ...newest, version: newest.version - 1, params: { ...newest.params, pricePerToken: 1n } };
    let answer = newest;
    const watcher = await RootConfigWatcher.open({ chain, rootAddress: root.address, read: async () => answer });
    let notified = 0;
    watcher.onChange(() => { notified += 1; });
    answer = older;
    await watcher.refresh();
    assert.equal(watcher.current.version, newest.version);
    assert.equal(watcher.current.params.pricePerToken, newest.params.pricePerToken);
    assert.equal(notified, 0);
    watcher.close();
  });

  test('failures are logged and retried by the timer; staleness follows the clock', async () => {
    let clock = 0;
    let fail = true;
    let reads = 0;
    const warnings: string[] = [];
    const spyLogger = { ...logger, warn: (message: string) => { warnings.push(message); }, child: () => spyLogger };
    const initial = await readRootConfig(chain, root.address);
    const watcher = await RootConfigWatcher.open({
      chain, rootAddress: root.address, initial, intervalMs: 5, logger: spyLogger, now: () => clock,
      read: async (...args) => {
        reads += 1;
        if (fail) throw new CocoonError('CCN_ERR_TON_UNAVAILABLE', 'endpoint down');
        return readRootConfig(...args);
      },
    });
    assert.equal(reads, 0, 'initial config given: no read at open');
    watcher.start();
    for (let waited = 0; reads < 2 && waited < 3000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.ok(reads >= 2, `the timer keeps retrying (${reads} reads)`);
    assert.ok(warnings.includes('root contract refresh failed; will retry'));
    clock = 7_200_001;
    assert.equal(watcher.isStale(clock, 7_200_000), true);
    assert.equal(watcher.isStale(clock, 8_000_000), false);
    fail = false;
    await watcher.poll();
    assert.equal(watcher.lastSyncedAt, 7_200_001);
    assert.equal(watcher.isStale(clock, 7_200_000), false, 'a successful refresh ends staleness');
    watcher.close();
    const readsAtClose = reads;
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(reads, readsAtClose, 'close() stops polling');
  });

  test('open() throws when the root is not deployed', async () => {
    const stranger = await chain.blockchain.treasury('nobody');
    const missing = CocoonRootContract.fromConfig({ owner: stranger.address, params: testCocoonParams(), version: 99 });
    await assert.rejects(RootConfigWatcher.open({ chain, rootAddress: missing.address }), { code: 'CCN_ERR_TON_CONTRACT_MISMATCH' });
  });
});
