/**
 * The worker follows root params changes (§6.7): once the root moves to params_version 2, a
 * proxy announcing its new contract makes the worker re-read the root at once, verify and
 * deploy a new worker contract (new params) and keep a fresh ledger file for it, while the
 * old proxy contract's ledger stays as it was.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { toNano } from '@ton/core';
import { CocoonRootContract, deriveProxyContract, deriveWorkerContract, parseWorkerContractData, readContractData, readRootConfig } from '@cocoon/ton';
import { createAccount, createWorkerChainWorld, createWorkerWallet, newStateDirectory, removeStateDirectories } from './worker-chain-test-kit.ts';

describe('WorkerChainAccount follows root params changes', () => {
  after(removeStateDirectories);

  test('derives, deploys and keys a new worker contract for the new proxy contract', async () => {
    const world = await createWorkerChainWorld();
    const wallet = await createWorkerWallet(world, '50');
    const stateDirectory = newStateDirectory();
    const account = createAccount(world, wallet, { stateDirectory, rootRefreshIntervalMs: 3_600_000 });
    const oldLedger = await account.connectedToProxy(world.proxyParams, world.workerContract.toString());
    assert.equal(oldLedger.json().params_version, 1);

    const admin = await world.chain.blockchain.treasury('deployer');
    await admin.send({ to: world.rootAddress, value: toNano('0.05'), body: CocoonRootContract.adminBody({ type: 'changeFees', pricePerToken: 40n, workerFeePerToken: 30n }, 4n) });
    const root = await readRootConfig(world.chain, world.rootAddress);
    const newProxy = deriveProxyContract(root.params, world.proxyOwner, world.proxyKey.publicKey, world.rootAddress);
    await admin.send({ to: newProxy.address, value: toNano('10'), init: newProxy.init, bounce: false });
    const newWorker = deriveWorkerContract(root.params, world.workerOwner, newProxy.address, world.proxyKey.publicKey).address;

    const ledger = await account.connectedToProxy({ ...world.proxyParams, proxy_sc_address: newProxy.address.toString() }, newWorker.toString());
    assert.equal(ledger.json().params_version, 2);
    assert.ok(ledger.workerContract.equals(newWorker));
    assert.equal(ledger.state.tokensCommittedToBlockchain, 0n, 'the new instance starts fresh');
    const deployed = await readContractData(world.chain, newWorker, parseWorkerContractData);
    assert.equal(deployed?.data.params.workerFeePerToken, 30n, 'the new worker contract carries the new fee');
    assert.equal(account.proxyAccounts().length, 2);
    const files = [world.proxyContract, newProxy.address].map((proxy) => `${stateDirectory}/worker-proxy-0-${proxy.hash.toString('hex')}.json`);
    for (const file of files) assert.ok(existsSync(file), `${file} exists`);
    account.stop();
  });
});
