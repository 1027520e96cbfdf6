/**
 * RootNetworkParamsSource on a sandbox chain with a real root contract: the root's price, fee
 * and four multipliers (not the dev ones) become the runners' NetworkParams; change_fees is
 * seen after a refresh and reported to listeners (next and previous); a lagging read with a
 * lower version changes nothing; unsubscribing stops the notifications.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { toNano } from '@ton/core';
import type { SandboxContract, TreasuryContract } from '@ton/sandbox';
import { createLogger, type NetworkParams } from '@cocoon/protocol';
import { SandboxChain } from '../../src/chain/sandbox-chain.ts';
import { RootConfigWatcher, RootNetworkParamsSource, networkParamsOf, readRootConfig, type RootConfig } from '../../src/root/index.ts';
import { CocoonRootContract } from '../../src/wrappers/cocoon-root-contract.ts';
import { testCocoonParams } from '../wallet/contract-test-helpers.ts';

const logger = createLogger('test', { level: 'error' });

describe('RootNetworkParamsSource', () => {
  let chain: SandboxChain;
  let owner: SandboxContract<TreasuryContract>;
  let root: SandboxContract<CocoonRootContract>;

  before(async () => {
    chain = await SandboxChain.create();
    owner = await chain.blockchain.treasury('root-owner');
    const params = {
      ...testCocoonParams(), pricePerToken: 30n, workerFeePerToken: 27n,
      promptTokensPriceMultiplier: 15_000, cachedTokensPriceMultiplier: 5_000, completionTokensPriceMultiplier: 20_000, reasoningTokensPriceMultiplier: 10_000,
    };
    root = chain.blockchain.openContract(CocoonRootContract.fromConfig({ owner: owner.address, params }));
    await root.sendDeploy(owner.getSender(), toNano('0.5'));
  });

  test('maps the root params and follows change_fees', async () => {
    const watcher = await RootConfigWatcher.open({ chain, rootAddress: root.address, logger });
    const source = new RootNetworkParamsSource(watcher);
    const start = source.current();
    assert.deepEqual(start, {
      isTest: true, pricePerToken: 30n, workerFeePerToken: 27n,
      multipliers: { prompt: 15_000, cached: 5_000, completion: 20_000, reasoning: 10_000 },
      configVersion: watcher.current.version,
    });
    assert.equal(source.current(), start, 'the same object until the root changes');

    const seen: Array<[NetworkParams, NetworkParams]> = [];
    const unsubscribe = source.onChange((next, previous) => { seen.push([next, previous]); });
    await owner.send({ to: root.address, value: toNano('0.05'), body: CocoonRootContract.adminBody({ type: 'changeFees', pricePerToken: 50n, workerFeePerToken: 45n }, 1n) });
    assert.equal(source.current().pricePerToken, 30n, 'nothing changes before the watcher reads the root');
    await watcher.refresh();
    const next = source.current();
    assert.equal(next.pricePerToken, 50n);
    assert.equal(next.workerFeePerToken, 45n);
    assert.deepEqual(next.multipliers, start.multipliers, 'change_fees keeps the multipliers');
    assert.equal(next.configVersion, start.configVersion + 1);
    assert.deepEqual(seen, [[next, start]]);

    unsubscribe();
    await owner.send({ to: root.address, value: toNano('0.05'), body: CocoonRootContract.adminBody({ type: 'changeFees', pricePerToken: 60n, workerFeePerToken: 50n }, 2n) });
    await watcher.refresh();
    assert.equal(source.current().pricePerToken, 60n);
    assert.equal(seen.length, 1, 'no notification after unsubscribing');
    watcher.close();
  });

  test('a lower root version (a lagging endpoint) never changes the params', async () => {
    const newest = await readRootConfig(chain, root.address);
    let answer: RootConfig = newest;
    const watcher = await RootConfigWatcher.open({ chain, rootAddress: root.address, read: async () => answer });
    const source = new RootNetworkParamsSource(watcher);
    answer = { ...newest, version: newest.version - 1, params: { ...newest.params, pricePerToken: 1n, promptTokensPriceMultiplier: 1 } };
    await watcher.refresh();
    assert.deepEqual(source.current(), networkParamsOf(newest.params, newest.version));
    watcher.close();
  });
});
