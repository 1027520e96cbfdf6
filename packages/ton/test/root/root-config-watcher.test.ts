/**
 * RootConfigWatcher on a sandbox chain with a real root contract: admin ops raise the root
 * version (listeners see next/previous), change_fees also raises params_version (the params
 * listener fires only then), a lower/equal version is ignored, read failures are logged and
 * retried on the next tick (mock timers, no sleeping), staleness follows the injected clock,
 * concurrent refreshes share a read, listener failures are contained, close() stops.
 */
import { before, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { toNano } from '@ton/core';
import type { SandboxContract, TreasuryContract } from '@ton/sandbox';
import { CocoonError, createLogger } from '@cocoon/protocol';
import { SandboxChain } from '../../src/chain/sandbox-chain.ts';
import { DEFAULT_ROOT_REFRESH_INTERVAL_MS, RootConfigWatcher, readRootConfig, type RootConfig } from '../../src/root/index.ts';
import { CocoonRootContract, type RootAdminMessage } from '../../src/wrappers/cocoon-root-contract.ts';
import { testCocoonParams } from '../wallet/contract-test-helpers.ts';

const logger = createLogger('test', { level: 'error' });
/** Lets a timer-started read finish (setImmediate is not mocked): no time passes. */
const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

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

  test('failures are logged and retried on the next tick; staleness follows the clock; close() stops the timer', async (t) => {
    mock.timers.enable({ apis: ['setInterval'] });
    t.after(() => mock.timers.reset());
    let clock = 0;
    let fail = true;
    let reads = 0;
    const warnings: string[] = [];
    let warned: () => void = () => {};
    const spyLogger = { ...logger, warn: (message: string) => { warnings.push(message); warned(); }, child: () => spyLogger };
    const initial = await readRootConfig(chain, root.address);
    const watcher = await RootConfigWatcher.open({
      chain, rootAddress: root.address, initial, logger: spyLogger, now: () => clock,
      read: async () => {
        reads += 1;
        if (fail) throw new CocoonError('CCN_ERR_TON_UNAVAILABLE', 'endpoint down');
        return initial;
      },
    });
    assert.equal(reads, 0, 'initial config given: no read at open');
    watcher.start();
    mock.timers.tick(DEFAULT_ROOT_REFRESH_INTERVAL_MS - 1);
    assert.equal(reads, 0, 'nothing before the first interval');
    const firstWarning = new Promise<void>((resolve) => { warned = resolve; });
    mock.timers.tick(1);
    assert.equal(reads, 1);
    await firstWarning;
    assert.deepEqual(warnings, ['root contract refresh failed; will retry']);
    mock.timers.tick(DEFAULT_ROOT_REFRESH_INTERVAL_MS);
    assert.equal(reads, 2, 'the timer keeps retrying');
    await settled();
    assert.equal(warnings.length, 2);

    clock = 7_200_001;
    assert.equal(watcher.isStale(clock, 7_200_000), true, 'one ms past the limit');
    assert.equal(watcher.isStale(7_200_000, 7_200_000), false, 'exactly at the limit');
    assert.equal(watcher.isStale(undefined, 8_000_000), false, 'defaults to the injected clock');
    fail = false;
    await watcher.poll();
    assert.equal(watcher.lastSyncedAt, 7_200_001);
    assert.equal(watcher.isStale(clock, 7_200_000), false, 'a successful refresh ends staleness');
    watcher.close();
    const readsAtClose = reads;
    mock.timers.tick(10 * DEFAULT_ROOT_REFRESH_INTERVAL_MS);
    assert.equal(reads, readsAtClose, 'close() stops polling');
    watcher.start();
    mock.timers.tick(10 * DEFAULT_ROOT_REFRESH_INTERVAL_MS);
    assert.equal(reads, readsAtClose, 'start() after close() does nothing');
  });

  test('start() twice keeps one timer at the configured interval', async (t) => {
    mock.timers.enable({ apis: ['setInterval'] });
    t.after(() => mock.timers.reset());
    const initial = await readRootConfig(chain, root.address);
    let reads = 0;
    const watcher = await RootConfigWatcher.open({ chain, rootAddress: root.address, initial, intervalMs: 1000, read: async () => { reads += 1; return initial; } });
    assert.equal(watcher.intervalMs, 1000);
    watcher.start();
    watcher.start();
    for (let tick = 1; tick <= 3; tick++) {
      mock.timers.tick(1000);
      await settled();
      assert.equal(reads, tick);
    }
    watcher.close();
  });

  test('concurrent refreshes share one read; the next refresh reads again', async () => {
    const initial = await readRootConfig(chain, root.address);
    let reads = 0;
    let release: () => void = () => {};
    const watcher = await RootConfigWatcher.open({
      chain, rootAddress: root.address, initial,
      read: async () => { reads += 1; await new Promise<void>((resolve) => { release = resolve; }); return { ...initial, version: initial.version + reads }; },
    });
    const first = watcher.refresh();
    const second = watcher.poll();
    assert.equal(reads, 1);
    release();
    assert.equal((await first).version, initial.version + 1);
    assert.equal((await second).version, initial.version + 1);
    const third = watcher.refresh();
    assert.equal(reads, 2);
    release();
    assert.equal((await third).version, initial.version + 2);
    watcher.close();
  });

  test('listeners: params listeners run after change listeners and only for a higher params_version; a failing one is logged; unsubscribe stops it', async () => {
    const initial = await readRootConfig(chain, root.address);
    let answer = initial;
    const errors: string[] = [];
    const spyLogger = { ...logger, error: (message: string) => { errors.push(message); }, child: () => spyLogger };
    const watcher = await RootConfigWatcher.open({ chain, rootAddress: root.address, initial, logger: spyLogger, read: async () => answer });
    const calls: string[] = [];
    watcher.onChange(() => { calls.push('failing change'); throw new Error('listener bug'); });
    const unsubscribe = watcher.onChange((next) => { calls.push(`change ${next.version}`); });
    watcher.onParamsChanged(async (next) => { calls.push(`params ${next.params.paramsVersion}`); });
    const config = (version: number, paramsVersion: number) => ({ ...initial, version, params: { ...initial.params, paramsVersion } });
    const base = initial.params.paramsVersion;

    answer = config(initial.version + 1, base + 1);
    await watcher.refresh();
    assert.deepEqual(calls, ['failing change', `change ${initial.version + 1}`, `params ${base + 1}`]);
    assert.deepEqual(errors, ['root config listener failed']);

    calls.length = 0;
    answer = config(initial.version + 2, base + 1);
    await watcher.refresh();
    assert.deepEqual(calls, ['failing change', `change ${initial.version + 2}`], 'same params_version: no params listener');

    calls.length = 0;
    answer = config(initial.version + 3, base);
    await watcher.refresh();
    assert.deepEqual(calls, ['failing change', `change ${initial.version + 3}`], 'a lower params_version is not a params change');
    assert.equal(watcher.current.version, initial.version + 3);

    calls.length = 0;
    unsubscribe();
    answer = config(initial.version + 4, base + 2);
    await watcher.refresh();
    assert.deepEqual(calls, ['failing change', `params ${base + 2}`]);
    watcher.close();
  });

  test('a read that completes after close() is not applied', async () => {
    const initial = await readRootConfig(chain, root.address);
    let release: () => void = () => {};
    const watcher = await RootConfigWatcher.open({
      chain, rootAddress: root.address, initial,
      read: async () => { await new Promise<void>((resolve) => { release = resolve; }); return { ...initial, version: initial.version + 10 }; },
    });
    let notified = 0;
    watcher.onChange(() => { notified += 1; });
    const pending = watcher.refresh();
    watcher.close();
    release();
    assert.equal((await pending).version, initial.version);
    assert.equal(watcher.current.version, initial.version);
    assert.equal(notified, 0);
  });

  test('open() without an initial config throws the read failure', async () => {
    await assert.rejects(
      RootConfigWatcher.open({ chain, rootAddress: root.address, read: async () => { throw new CocoonError('CCN_ERR_TON_UNAVAILABLE', 'endpoint down'); } }),
      { code: 'CCN_ERR_TON_UNAVAILABLE' },
    );
  });

  test('open() throws when the root is not deployed', async () => {
    const stranger = await chain.blockchain.treasury('nobody');
    const missing = CocoonRootContract.fromConfig({ owner: stranger.address, params: testCocoonParams(), version: 99 });
    await assert.rejects(RootConfigWatcher.open({ chain, rootAddress: missing.address }), { code: 'CCN_ERR_TON_CONTRACT_MISMATCH' });
  });
});
