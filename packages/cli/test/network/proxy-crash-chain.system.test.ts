/**
 * System test of a proxy crash on chain (issue 3): the proxy is killed with SIGKILL while
 * requests are in flight, then restarted on the same ledger. Afterwards no signed total goes
 * backwards (the contracts would refuse a lower total, and every later settle must reach at
 * least what was on chain before), nothing is paid twice (the settled tokens never exceed what
 * the app was answered plus what was in flight at the kill), the client and the workers
 * reconnect by themselves and requests succeed again, and the settlement conserves every nanoTON.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { DEV_WORKER_OWNER_ADDRESS, createLogger } from '@cocoon/protocol';
import { LocalChainFaucet, createChain } from '@cocoon/ton';
import { startTestEngine, type TestEngine } from '@cocoon/worker';
import type { DevChildProcess } from '../../src/index.ts';
import { bootstrapDevChain, type DevChainBootstrap } from '../../src/dev/dev-chain-bootstrap.ts';
import { askForTokens, settleThroughProxy, type Settled } from './chain-network-harness.ts';
import { ChildLogs, fetchJson, freePorts, startRole, waitFor } from './network-harness.ts';

const MODEL = 'test/tiny-chat';
/** Upper bound of the adjusted tokens of one test-engine answer to a short prompt. */
const MAX_TOKENS_PER_REQUEST = 400;


describe('proxy killed with SIGKILL under load, on a local TON chain', { timeout: 300_000 }, () => {
  const logs = new ChildLogs();
  const children = new Map<string, DevChildProcess>();
  let directory: string;
  let engine: TestEngine;
  let openai: OpenAI;
  let proxyArgs: string[];
  let proxyHttpUrl: string;

  const settle = (): Promise<Settled> => settleThroughProxy(proxyHttpUrl, logs, join(directory, 'proxy-admin.token'));

  const ask = (text: string): Promise<number | undefined> => askForTokens(openai, MODEL, text);

  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'cocoon-proxy-crash-'));
    engine = await startTestEngine({ host: '127.0.0.1', port: 0, chunkDelayMs: 40 });
    const [chainPort, proxyHttp, proxyWorker, proxyClient, worker1Http, worker2Http, clientHttp] = await freePorts(7);
    children.set('chain', await startRole('chain', 'chain', ['--host', '127.0.0.1', '--port', `${chainPort}`, '--data-dir', join(directory, 'chain')], logs));
    const url = `http://127.0.0.1:${chainPort}`;
    const endpoint = `${url}/jsonRPC`;
    const chain = await createChain({ kind: 'toncenter', endpoint });
    let boot: DevChainBootstrap;
    try {
      boot = await bootstrapDevChain({
        chain, faucet: new LocalChainFaucet({ url }), directory, workers: 2, workerOwnerAddress: DEV_WORKER_OWNER_ADDRESS, logger: createLogger('test', { level: 'error' }),
      });
    } finally {
      await chain.close();
    }
    const common = ['--ton-endpoint', endpoint, '--root-contract-address', boot.rootAddress, '--ton-poll-interval-ms', '200'];
    proxyHttpUrl = `http://127.0.0.1:${proxyHttp}`;
    proxyArgs = ['--host', '127.0.0.1', '--client-port', `${proxyClient}`, '--worker-port', `${proxyWorker}`, '--http-port', `${proxyHttp}`, '--pow-difficulty', '8', '--admin-token-file', join(directory, 'proxy-admin.token'),
      ...common, '--node-wallet-key-file', boot.keys.proxyWallet, '--proxy-key-file', boot.keys.proxyKey, '--db-path', join(directory, 'proxy-db'), '--save-state-interval-ms', '1000'];
    children.set('proxy', await startRole('proxy', 'proxy', proxyArgs, logs));
    for (const [index, port] of [worker1Http, worker2Http].entries()) {
      children.set(`worker-${index + 1}`, await startRole(`worker-${index + 1}`, 'worker', ['--http-port', `${port}`, '--proxy-address', `127.0.0.1:${proxyWorker}`,
        '--engine-url', engine.url, ...common, '--node-wallet-key-file', boot.keys.workerWallets[index]!, '--owner-address', DEV_WORKER_OWNER_ADDRESS,
        '--worker-state-dir', join(directory, `worker-${index + 1}`)], logs));
    }
    children.set('client', await startRole('client', 'client', ['--http-host', '127.0.0.1', '--http-port', `${clientHttp}`, '--proxy-address', `127.0.0.1:${proxyClient}`,
      ...common, '--node-wallet-key-file', boot.keys.clientWallet], logs));
    openai = new OpenAI({ baseURL: `http://127.0.0.1:${clientHttp}/v1`, apiKey: 'unused', maxRetries: 0 });
  });

  after(async () => {
    await Promise.all([...children.values()].map((child) => child.stop(3000)));
    await engine?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  test('restart keeps every total, pays nothing twice, and peers reconnect', async (t) => {
    let answered = 0;
    for (let index = 0; index < 3; index++) answered += (await ask(`warm-up request ${index}`)) ?? assert.fail(`warm-up request failed\n${logs.tail()}`);
    const before = await settle();
    assert.equal(before.tokens, answered, 'first settle: the chain holds every answered token');

    // Load: 4 request loops; the proxy is killed while requests stream.
    let stopLoad = false;
    let failed = 0;
    const loops = Array.from({ length: 4 }, async (_, loop) => {
      for (let index = 0; !stopLoad; index++) {
        const tokens = await ask(`load ${loop}.${index} with some words`);
        if (tokens === undefined) { failed += 1; await new Promise((resolve) => setTimeout(resolve, 100)); } else answered += tokens;
      }
    });
    await waitFor(() => engine.requests >= 12, 30_000, 'load to reach the engine');
    const proxy = children.get('proxy')!;
    process.kill(proxy.pid!, 'SIGKILL');
    await proxy.exited;
    const failedAtKill = failed;
    children.set('proxy', await startRole('proxy', 'proxy', proxyArgs, logs));
    // The client and workers reconnect on their own: requests succeed again.
    const succeededBefore = answered;
    await waitFor(() => answered > succeededBefore + 200, 60_000, `requests to succeed after the restart\n${logs.tail()}`);
    stopLoad = true;
    await Promise.all(loops);
    for (const name of ['worker-1', 'worker-2', 'client']) assert.equal(children.get(name)!.readyInfo !== undefined && (await Promise.race([children.get(name)!.exited.then(() => 'exited'), Promise.resolve('running')])), 'running', `${name} kept running`);
    const stats = await fetchJson(`${proxyHttpUrl}/jsonstats`);
    assert.equal((stats.worker_connections as unknown[]).length, 2, 'both workers reconnected');

    const after = await settle();
    t.diagnostic(`before kill: ${before.tokens} tokens on chain; answered ${answered}, failed ${failed} (${failedAtKill} by the kill); settled ${after.tokens}`);
    assert.ok(after.tokens >= before.tokens, 'no total went backwards');
    assert.ok(after.tokens >= answered, `every answered token is billed (${after.tokens} >= ${answered})`);
    const inFlightBound = Math.max(failed, failedAtKill + 4) * MAX_TOKENS_PER_REQUEST;
    assert.ok(after.tokens <= answered + inFlightBound, `nothing billed twice (${after.tokens} <= ${answered} + ${inFlightBound})`);
    assert.equal(after.client_paid_nanoton, after.tokens * 20);
    assert.equal(after.worker_earned_nanoton, after.tokens * 19);
    assert.equal(after.client_paid_nanoton, after.worker_earned_nanoton + after.proxy_commission_nanoton);
    const ledger = (await fetchJson(`${proxyHttpUrl}/jsonstats`)).ledger as Record<string, number>;
    assert.equal(ledger.tokens, after.tokens, 'the restarted proxy ledger agrees with the chain');
  });
});
