/**
 * ClientChain follows the root (§6.7): after change_fees (params_version 2) a proxy announcing
 * its new contract is first refused (derived from the old params) and the refusal triggers a
 * root refresh; the next handshake derives the new client contract with the new params,
 * deploys it, and the automation leaves the outdated contract alone.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Address, toNano } from '@ton/core';
import { createLogger } from '@cocoon/protocol';
import {
  CocoonProxyContract, CocoonRootContract, deriveClientContract, deriveProxyContract, parseClientContractData, readContractData, readRootConfig,
} from '@cocoon/ton';
import { clientConfigSchema } from '../../src/config/index.ts';
import type { ClientChain } from '../../src/chain/index.ts';
import { openClientChain } from '../../src/chain/client-chain-setup.ts';
import { createClientChainFixture, type ClientChainFixture } from './client-chain-fixture.ts';

describe('ClientChain follows root params changes', () => {
  let fixture: ClientChainFixture;
  let clientChain: ClientChain;
  let directory: string;

  before(async () => {
    fixture = await createClientChainFixture();
    directory = mkdtempSync(join(tmpdir(), 'cocoon-client-root-'));
    const config = clientConfigSchema.parse({
      ton_endpoint: 'http://127.0.0.1:9/jsonRPC', root_contract_address: fixture.rootAddress.toString(),
      node_wallet_key_file: join(directory, 'wallet.key'), secret_string: 's3cret', root_refresh_interval_ms: 3_600_000,
    });
    clientChain = await openClientChain(config, { logger: createLogger('client', { level: 'error' }), chain: fixture.chain, now: fixture.context.now, sleep: fixture.context.sleep });
    await fixture.chain.fund(Address.parse(clientChain.ownerAddressText), toNano('50'));
  });

  after(async () => {
    await clientChain.close();
    rmSync(directory, { recursive: true, force: true });
  });

  const identityFor = (proxy: Address, clientContract: Address) => ({
    ...fixture.identity, proxyContractAddress: proxy.toString({ testOnly: true }), clientContractAddress: clientContract.toString({ testOnly: true }),
  });

  test('derives and deploys the new client contract after a params change', async () => {
    const wallet = Address.parse(clientChain.ownerAddressText);
    const oldClient = deriveClientContract(fixture.params, wallet, fixture.proxyAddress, fixture.proxyKeys.publicKey);
    const oldAccount = clientChain.accountFor(identityFor(fixture.proxyAddress, oldClient.address));
    assert.equal(oldAccount.paramsVersion, 1);

    const admin = await fixture.chain.blockchain.treasury('root-owner');
    await admin.send({ to: fixture.rootAddress, value: toNano('0.05'), body: CocoonRootContract.adminBody({ type: 'changeFees', pricePerToken: 40n, workerFeePerToken: 30n }, 3n) });
    const root = await readRootConfig(fixture.chain, fixture.rootAddress);
    assert.equal(root.params.paramsVersion, 2);
    const newProxy = deriveProxyContract(root.params, fixture.proxyOwner, fixture.proxyKeys.publicKey, fixture.rootAddress);
    await admin.send({
      to: newProxy.address, value: toNano('0.3') + root.params.minProxyStake, init: newProxy.init, bounce: false,
      body: CocoonProxyContract.increaseStakeBody({ queryId: 1n, grams: root.params.minProxyStake, sendExcessesTo: admin.address }),
    });
    const newClient = deriveClientContract(root.params, wallet, newProxy.address, fixture.proxyKeys.publicKey);
    const identity = identityFor(newProxy.address, newClient.address);

    assert.equal(clientChain.rootVersion, 1);
    assert.equal(clientChain.networkParams.current().pricePerToken, 20n, 'costs at the price the client has read');
    assert.throws(() => clientChain.accountFor(identity), { code: 'CCN_ERR_TON_CONTRACT_MISMATCH' }, 'still on the old params');
    for (let tries = 0; clientChain.root.params.paramsVersion < 2 && tries < 200; tries++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(clientChain.root.params.paramsVersion, 2, 'the mismatch triggered a root refresh');
    assert.equal(clientChain.rootVersion, root.version, 'min_config_version follows the root');
    assert.equal(clientChain.networkParams.current().pricePerToken, 40n, 'costs follow the root price');

    const account = clientChain.accountFor(identity);
    assert.equal(account.paramsVersion, 2);
    assert.ok(account.contract.address.equals(newClient.address));
    assert.equal(await account.prepareAuthorization({ kind: 'long', nonce: 5n }), 'long');
    const deployed = await readContractData(fixture.chain, newClient.address, parseClientContractData);
    assert.equal(deployed?.data.params.pricePerToken, 40n, 'the new contract carries the new price');
    assert.equal(deployed?.data.stake, root.params.minClientStake);
    assert.equal(account.stakeTokens, root.params.minClientStake / 40n);
    assert.deepEqual(clientChain.accounts().map((candidate) => candidate.paramsVersion).sort(), [1, 2]);
    assert.equal(clientChain.json().root.params_version, 2);

    // The automation skips the outdated account (not deployed: it would deploy it otherwise).
    await clientChain.tick();
    assert.equal(await readContractData(fixture.chain, oldClient.address, parseClientContractData), undefined);
  });
});
