/**
 * System test of a root `params_version` change on a local TON chain (§6.7): after requests
 * at the dev price (20 nanoTON/token) the root admin sends change_fees 40/38; the proxy
 * blocks new requests, settles and starts closing its old contract, deploys a new one with
 * the new params and drops its peers; the client and the workers re-derive their contracts
 * and reconnect. Afterwards requests succeed again, the new instance bills at 40/token,
 * the settlement conserves every nanoTON and the old instance's shutdown progresses.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { DEV_WORKER_OWNER_ADDRESS, createLogger } from '@cocoon/protocol';
import { Address } from '@ton/core';
import { LocalChainFaucet, createChain, parseProxyContractData, readContractData, type Chain } from '@cocoon/ton';
import { startTestEngine, type TestEngine } from '@cocoon/worker';
import type { DevChildProcess } from '../../src/index.ts';
import { bootstrapDevChain, type DevChainBootstrap } from '../../src/dev/dev-chain-bootstrap.ts';
import { askForTokens, settleThroughProxy, type Settled } from './chain-network-harness.ts';
import { ChildLogs, fetchJson, freePorts, startRole, waitFor } from './network-harness.ts';
import { sendRootAdminMessage } from './params-migration-harness.ts';

const MODEL = 'test/tiny-chat';
const REFRESH = ['--root-refresh-interval-ms', '500'];

interface RootStats { params_version: number; root_params_version: number; serving: string; old_instances: Array<{ params_version: number; proxy_sc_address: string; closing_step: string }> }

describe('root params_version change on a local TON chain', { timeout: 300_000 }, () => {
  const logs = new ChildLogs();
  const children = new Map<string, DevChildProcess>();
  let directory: string;
  let engine: TestEngine;
  let openai: OpenAI;
  let chain: Chain;
  let boot: DevChainBootstrap;
  let proxyHttpUrl: string;

  const settle = (): Promise<Settled> => settleThroughProxy(proxyHttpUrl, logs, join(directory, 'proxy-admin.token'));
  const rootStats = async (): Promise<RootStats> => (await fetchJson(`${proxyHttpUrl}/jsonstats`)).root as RootStats;

  const ask = (text: string): Promise<number | undefined> => askForTokens(openai, MODEL, text);

  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'cocoon-params-migration-'));
    engine = await startTestEngine({ host: '127.0.0.1', port: 0, chunkDelayMs: 5 });
    const [chainPort, proxyHttp, proxyWorker, proxyClient, worker1Http, worker2Http, clientHttp] = await freePorts(7);
    children.set('chain', await startRole('chain', 'chain', ['--host', '127.0.0.1', '--port', `${chainPort}`, '--data-dir', join(directory, 'chain')], logs));
    const url = `http://127.0.0.1:${chainPort}`;
    const endpoint = `${url}/jsonRPC`;
    chain = await createChain({ kind: 'toncenter', endpoint });
    boot = await bootstrapDevChain({
      chain, faucet: new LocalChainFaucet({ url }), directory, workers: 2, workerOwnerAddress: DEV_WORKER_OWNER_ADDRESS, logger: createLogger('test', { level: 'error' }),
    });
    const common = ['--ton-endpoint', endpoint, '--root-contract-address', boot.rootAddress, '--ton-poll-interval-ms', '200', ...REFRESH];
    proxyHttpUrl = `http://127.0.0.1:${proxyHttp}`;
    children.set('proxy', await startRole('proxy', 'proxy', ['--host', '127.0.0.1', '--client-port', `${proxyClient}`, '--worker-port', `${proxyWorker}`,
      '--http-port', `${proxyHttp}`, '--pow-difficulty', '8', '--admin-token-file', join(directory, 'proxy-admin.token'), ...common, '--node-wallet-key-file', boot.keys.proxyWallet, '--proxy-key-file', boot.keys.proxyKey,
      '--db-path', join(directory, 'proxy-db'), '--save-state-interval-ms', '500'], logs));
    for (const [index, port] of [worker1Http, worker2Http].entries()) {
      children.set(`worker-${index + 1}`, await startRole(`worker-${index + 1}`, 'worker', ['--http-port', `${port}`, '--proxy-address', `127.0.0.1:${proxyWorker}`,
        '--engine-url', engine.url, ...common, '--node-wallet-key-file', boot.keys.workerWallets[index]!, '--owner-address', DEV_WORKER_OWNER_ADDRESS,
        '--worker-state-dir', join(directory, `worker-${index + 1}`), '--payment-status-interval-ms', '500'], logs));
    }
    children.set('client', await startRole('client', 'client', ['--http-host', '127.0.0.1', '--http-port', `${clientHttp}`, '--proxy-address', `127.0.0.1:${proxyClient}`,
      ...common, '--node-wallet-key-file', boot.keys.clientWallet], logs));
    openai = new OpenAI({ baseURL: `http://127.0.0.1:${clientHttp}/v1`, apiKey: 'unused', maxRetries: 0 });
  });

  after(async () => {
    await Promise.all([...children.values()].map((child) => child.stop(3000)));
    await chain?.close();
    await engine?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  test('change_fees moves every runner to new contracts billed at the new price', async (t) => {
    const started = Date.now();
    // (1) Requests at the dev price.
    let answeredBefore = 0;
    for (let index = 0; index < 3; index++) answeredBefore += (await ask(`before ${index}`)) ?? assert.fail(`request before the change failed\n${logs.tail()}`);
    const first = await settle();
    assert.equal(first.tokens, answeredBefore, 'first settle: the chain holds every answered token');
    assert.equal(first.client_paid_nanoton, first.tokens * 20);
    assert.equal(first.worker_earned_nanoton, first.tokens * 19);
    assert.equal(first.client_paid_nanoton, first.worker_earned_nanoton + first.proxy_commission_nanoton);
    const oldProxyAddress = ((await fetchJson(`${proxyHttpUrl}/jsonstats`)).smartcontract as { address: string }).address;
    assert.equal((await rootStats()).params_version, 1);

    // (2) change_fees 40/38 on the root: params_version 1 → 2.
    const changedAt = Date.now();
    const root = await sendRootAdminMessage({
      chain, rootAddress: boot.rootAddress, adminKeyFile: boot.keys.rootAdmin, message: { type: 'changeFees', pricePerToken: 40n, workerFeePerToken: 38n }, paramsVersion: 2,
    });
    assert.equal(root.params.pricePerToken, 40n);
    assert.equal(root.params.workerFeePerToken, 38n);

    // (3) The proxy switches; requests fail meanwhile (counted) until every peer reconnected.
    await waitFor(async () => (await rootStats()).params_version === 2, 60_000, `the proxy to serve params_version 2\n${logs.tail()}`);
    let failed = 0;
    let answeredAfter = 0;
    await waitFor(async () => {
      const tokens = await ask('first after the change');
      if (tokens === undefined) { failed += 1; await new Promise((resolve) => setTimeout(resolve, 200)); return false; }
      answeredAfter += tokens;
      return true;
    }, 60_000, `requests to succeed after the migration\n${logs.tail()}`);
    const recoveredMs = Date.now() - changedAt;
    for (let index = 0; index < 4; index++) answeredAfter += (await ask(`after ${index}`)) ?? assert.fail(`request after the migration failed\n${logs.tail()}`);

    const stats = await fetchJson(`${proxyHttpUrl}/jsonstats`);
    const smartcontract = stats.smartcontract as { address: string; params_version: number };
    assert.equal(smartcontract.params_version, 2);
    assert.notEqual(smartcontract.address, oldProxyAddress, 'a new proxy contract');
    const second = await settle();
    t.diagnostic(`before: ${first.tokens} tokens; migration: ${failed} failed requests, recovered after ${recoveredMs} ms; after: answered ${answeredAfter}, settled ${second.tokens}`);
    // The settle report covers the active (new) instance only: its ledger and contracts.
    assert.equal(second.tokens, answeredAfter, 'the new instance bills exactly the tokens answered after the switch');
    assert.equal(second.client_paid_nanoton, second.tokens * 40);
    assert.equal(second.worker_earned_nanoton, second.tokens * 38);
    assert.equal(second.client_paid_nanoton, second.worker_earned_nanoton + second.proxy_commission_nanoton);
    assert.equal((stats.worker_connections as unknown[]).length, 2, 'both workers reconnected');

    // (4) The old instance's shutdown progresses past the final settle (close_request sent).
    const stepOrder = ['settle', 'close_request', 'wait_unlock', 'refunds', 'payouts', 'close_complete', 'done'];
    let old: RootStats['old_instances'][number] | undefined;
    await waitFor(async () => {
      const current = await rootStats();
      old = current.old_instances.find((instance) => instance.params_version === 1);
      return current.root_params_version === 2 && old !== undefined && stepOrder.indexOf(old.closing_step) >= stepOrder.indexOf('wait_unlock');
    }, 30_000, `the old instance to reach wait_unlock: ${JSON.stringify(old)}\n${logs.tail()}`);
    assert.equal(old!.proxy_sc_address, oldProxyAddress);
    const oldContract = await readContractData(chain, Address.parse(oldProxyAddress), parseProxyContractData);
    assert.equal(oldContract?.data.status, 'closing', 'the old proxy contract accepted close_request');
    t.diagnostic(`old instance at ${old!.closing_step}; total ${Date.now() - started} ms`);
  });
});
