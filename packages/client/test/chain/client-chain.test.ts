/**
 * ClientChain from a client config on a SandboxChain with a deployed root: the wallet is the
 * `client_owner_address` (non-bounceable, test-only), an unfunded wallet only logs "ACTION
 * REQUIRED", accounts are shared per proxy contract, `/request/*` POST endpoints on the
 * client HTTP server (admin token, access hash, cross-origin refusal, method, unknown proxy), and the `/jsonstats` sections.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Address, toNano } from '@ton/core';
import { createLogger } from '@cocoon/protocol';
import { deriveClientContract } from '@cocoon/ton';
import { clientConfigSchema } from '../../src/config/index.ts';
import { handleClientChainRequest, type ClientChain } from '../../src/chain/index.ts';
import { openClientChain } from '../../src/chain/client-chain-setup.ts';
import { startTestServer, type TestServer } from '../http/test-server.ts';
import { createClientChainFixture, type ClientChainFixture } from './client-chain-fixture.ts';

const ADMIN_TOKEN = '5a'.repeat(32);

describe('ClientChain', () => {
  let fixture: ClientChainFixture;
  let clientChain: ClientChain;
  let server: TestServer;
  let directory: string;
  const lines: string[] = [];

  before(async () => {
    fixture = await createClientChainFixture();
    directory = mkdtempSync(join(tmpdir(), 'cocoon-client-chain-'));
    const config = clientConfigSchema.parse({
      ton_endpoint: 'http://127.0.0.1:9/jsonRPC', root_contract_address: fixture.rootAddress.toString(),
      node_wallet_key_file: join(directory, 'wallet.key'), secret_string: 's3cret', http_access_hash: 'letmein',
    });
    const logger = createLogger('client', { write: (line) => lines.push(line) });
    clientChain = await openClientChain(config, { logger, chain: fixture.chain, now: fixture.context.now, sleep: fixture.context.sleep });
    server = await startTestServer({
      accessHash: 'letmein', adminToken: ADMIN_TOKEN,
      requestRoutes: (request, response, url) => handleClientChainRequest(clientChain, request, response, url),
    });
  });

  after(async () => {
    await server.server.close();
    await clientChain.close();
    rmSync(directory, { recursive: true, force: true });
  });

  const post = (path: string, method = 'POST'): Promise<Response> => fetch(`${server.url}${path}`, { method });

  test('owner address is the runner wallet; an unfunded wallet is reported, not fatal', async () => {
    const friendly = Address.parseFriendly(clientChain.ownerAddressText);
    assert.equal(friendly.isBounceable, false);
    assert.equal(friendly.isTestOnly, true);
    assert.equal(clientChain.rootVersion, 1);
    assert.ok(lines.some((line) => line.includes('ACTION REQUIRED') && line.includes(clientChain.ownerAddressText)), lines.join('\n'));
    await clientChain.tick(); // never throws
    assert.deepEqual(clientChain.json().wallet, { address: clientChain.ownerAddressText, balance: 0n });
  });

  test('accounts are shared per proxy contract and /request/* operates them', async () => {
    const wallet = Address.parse(clientChain.ownerAddressText);
    await fixture.chain.fund(wallet, toNano('20'));
    const identity = {
      ...fixture.identity,
      clientContractAddress: deriveClientContract(fixture.params, wallet, fixture.proxyAddress, fixture.proxyKeys.publicKey).address.toString(),
    };
    const account = clientChain.accountFor(identity);
    assert.equal(clientChain.accountFor(identity), account);
    await account.ensureDeployed();
    const proxy = encodeURIComponent(fixture.proxyAddress.toString());

    assert.equal((await post(`/request/topup?proxy=${proxy}`)).status, 401, 'access hash required');
    assert.equal((await post(`/request/topup?access_hash=letmein&proxy=${proxy}`, 'GET')).status, 405);
    const unknown = encodeURIComponent(new Address(0, Buffer.alloc(32, 1)).toString());
    assert.equal((await post(`/request/topup?access_hash=letmein&proxy=${unknown}`)).status, 404);

    const topUp = await post(`/request/topup?access_hash=letmein&proxy=${proxy}`);
    assert.equal(topUp.status, 200);
    const body = await topUp.json() as { ok: boolean; proxy: Record<string, unknown> };
    assert.equal(body.ok, true);
    assert.equal(body.proxy.balance, Number(2n * fixture.params.minClientStake));

    const withdraw = await post('/request/withdraw?access_hash=letmein'); // the only proxy
    assert.equal(withdraw.status, 200);
    assert.equal((await post('/request/withdraw?access_hash=letmein')).status, 400, 'nothing left above the stake');
    // A web page's simple POST (another origin, text/plain) cannot close the contract, nor can a request without a credential.
    const attack = await fetch(`${server.url}/request/close?access_hash=letmein`, { method: 'POST', headers: { origin: 'http://attacker.example', 'content-type': 'text/plain' }, body: 'x' });
    assert.equal(attack.status, 403);
    assert.equal((await post('/request/close')).status, 401);
    await clientChain.tick();
    const stateBefore = clientChain.json().proxies[0]?.state;
    assert.ok(typeof stateBefore === 'string' && stateBefore !== 'closing', `the refused requests changed nothing (${String(stateBefore)})`);
    assert.equal((await fetch(`${server.url}/request/close`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status, 200);

    await clientChain.tick();
    const stats = clientChain.json();
    assert.ok(typeof stats.wallet.balance === 'bigint' && stats.wallet.balance > 0n);
    assert.equal(stats.proxies.length, 1);
    const entry = stats.proxies[0]!;
    assert.equal(entry.state, 'closing');
    assert.equal(entry.sc_address, account.friendly(account.contract.address));
    assert.equal(entry.proxy_sc_address, account.friendly(fixture.proxyAddress));
    for (const field of ['balance', 'stake', 'tokens_used', 'tokens_used_proxy_max', 'tokens_used_proxy_committed_to_blockchain']) {
      assert.ok(field in entry, field);
    }
  });
});
