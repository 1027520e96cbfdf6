/**
 * System test of attestation through the whole network on a local TON chain (issue 4): with a
 * simulated TEE and policy tdx on every hop, and the dev root allowing the proxy image, the
 * worker image and the worker model, a request goes client → proxy → worker; a worker whose
 * model is not in model_hashes refuses to start; a worker that cannot prove its image (fake_tdx
 * quote) is refused by the proxy; a client trusting another attestation authority refuses the proxy.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { DEV_WORKER_OWNER_ADDRESS, createLogger } from '@cocoon/protocol';
import { DevAttestationAuthority } from '@cocoon/attestation';
import { LocalChainFaucet, createChain } from '@cocoon/ton';
import { DEV_WORKER_MODEL, startTestEngine, type TestEngine } from '@cocoon/worker';
import type { DevChildProcess } from '../../src/index.ts';
import { bootstrapDevChain, type DevChainBootstrap } from '../../src/dev/dev-chain-bootstrap.ts';
import { prepareDevAttestation, type DevAttestation } from '../../src/dev/dev-attestation.ts';
import { ChildLogs, fetchJson, freePorts, startRole, waitFor } from './network-harness.ts';
import { exitWithin, proxyCounter, proxyWorkerCount, spawnRole } from './attestation-harness.ts';

/** A valid model string that the dev root does NOT list in model_hashes. */
const UNREGISTERED_MODEL = `other/model@dev:${'0'.repeat(64)}`;

describe('attestation on every hop (simulated TDX, policy tdx) on a local TON chain', { timeout: 240_000 }, () => {
  const logs = new ChildLogs();
  const children = new Map<string, DevChildProcess>();
  let directory: string;
  let engine: TestEngine;
  let attestation: DevAttestation;
  let boot: DevChainBootstrap;
  let common: string[];
  let ports: number[];
  let proxyHttpUrl: string;
  let workerHttpUrl: string;
  let clientHttpUrl: string;
  let proxyWorkerAddress: string;
  let proxyClientAddress: string;

  /** Worker flags of this network; `overrides` come last (the CLI takes the last value of a flag). */
  const workerArgs = (httpPort: number, walletIndex: number, name: string, overrides: string[]): string[] => [
    '--http-port', `${httpPort}`, '--proxy-address', proxyWorkerAddress, '--engine-url', engine.url, ...common,
    '--node-wallet-key-file', boot.keys.workerWallets[walletIndex]!, '--owner-address', DEV_WORKER_OWNER_ADDRESS,
    '--worker-state-dir', join(directory, name), ...attestation.args.worker, ...overrides,
  ];

  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'cocoon-attestation-chain-'));
    engine = await startTestEngine({ host: '127.0.0.1', port: 0 });
    attestation = await prepareDevAttestation({ kind: 'simulated', directory, workerModel: DEV_WORKER_MODEL, logger: createLogger('test', { level: 'error' }) });
    assert.ok(attestation.allowedHashes, 'simulated attestation gives the hashes to register');
    ports = await freePorts(9);
    const [chainPort, proxyHttp, proxyWorker, proxyClient, workerHttp, , , clientHttp] = ports as [number, number, number, number, number, number, number, number, number];
    children.set('chain', await startRole('chain', 'chain', ['--host', '127.0.0.1', '--port', `${chainPort}`, '--data-dir', join(directory, 'chain')], logs));
    const url = `http://127.0.0.1:${chainPort}`;
    const endpoint = `${url}/jsonRPC`;
    const chain = await createChain({ kind: 'toncenter', endpoint });
    try {
      boot = await bootstrapDevChain({
        chain, faucet: new LocalChainFaucet({ url }), directory, workers: 3, workerOwnerAddress: DEV_WORKER_OWNER_ADDRESS,
        logger: createLogger('test', { level: 'error' }), allowedHashes: attestation.allowedHashes,
      });
    } finally {
      await chain.close();
    }
    common = ['--ton-endpoint', endpoint, '--root-contract-address', boot.rootAddress, '--ton-poll-interval-ms', '200'];
    proxyHttpUrl = `http://127.0.0.1:${proxyHttp}`;
    workerHttpUrl = `http://127.0.0.1:${workerHttp}`;
    clientHttpUrl = `http://127.0.0.1:${clientHttp}`;
    proxyWorkerAddress = `127.0.0.1:${proxyWorker}`;
    proxyClientAddress = `127.0.0.1:${proxyClient}`;
    children.set('proxy', await startRole('proxy', 'proxy', ['--host', '127.0.0.1', '--client-port', `${proxyClient}`, '--worker-port', `${proxyWorker}`,
      '--http-port', `${proxyHttp}`, '--pow-difficulty', '8', ...common, '--node-wallet-key-file', boot.keys.proxyWallet, '--proxy-key-file', boot.keys.proxyKey,
      '--db-path', join(directory, 'proxy-db'), ...attestation.args.proxy], logs));
    children.set('worker-1', await startRole('worker-1', 'worker', workerArgs(workerHttp, 0, 'worker-1', []), logs));
    children.set('client', await startRole('client', 'client', ['--http-host', '127.0.0.1', '--http-port', `${clientHttp}`, '--proxy-address', proxyClientAddress,
      ...common, '--node-wallet-key-file', boot.keys.clientWallet, ...attestation.args.client], logs));
  });

  after(async () => {
    await Promise.all([...children.values()].map((child) => child.stop(3000)));
    await engine?.close();
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  test('an attested request goes client → proxy → worker, every hop checking the root hashes', async () => {
    const openai = new OpenAI({ baseURL: `${clientHttpUrl}/v1`, apiKey: 'unused', maxRetries: 0 });
    const answer = await openai.chat.completions.create({ model: 'test/tiny-chat', messages: [{ role: 'user', content: 'hello through attested hops' }] })
      .catch((error: unknown) => assert.fail(`chat completion failed: ${String(error)}\n${logs.tail()}`));
    assert.ok((answer.choices[0]?.message.content ?? '').length > 0, 'the worker answered');
    assert.ok(answer.usage && answer.usage.completion_tokens > 0, 'the answer is billed');

    const proxy = await fetchJson(`${proxyHttpUrl}/jsonstats`);
    const proxyStatus = proxy.status as Record<string, unknown>;
    assert.equal(proxyStatus.tee, 'simulated');
    assert.equal(proxyStatus.attestation_trust, 'dev');
    assert.equal(proxyStatus.actual_image_hash, attestation.allowedHashes!.proxyImageHashes[0], 'the proxy attests the registered image');
    assert.equal((proxy.localconfig as Record<string, unknown>).check_worker_hashes, true);
    assert.equal((proxy.localconfig as Record<string, unknown>).worker_policy, 'tdx');
    const workers = proxy.worker_connections as Array<Record<string, unknown>>;
    assert.equal(workers.length, 1);
    assert.equal(workers[0]!.model, DEV_WORKER_MODEL);

    const worker = await fetchJson(`${workerHttpUrl}/jsonstats`);
    assert.equal((worker.localconfig as Record<string, unknown>).check_proxy_hash, true);
    assert.equal((worker.localconfig as Record<string, unknown>).proxy_policy, 'tdx');
    assert.equal((worker.attestation as Record<string, unknown>).image_hash, attestation.allowedHashes!.workerImageHashes[0], 'the worker attests the registered image');

    const client = await fetchJson(`${clientHttpUrl}/jsonstats`);
    assert.equal((client.localconf as Record<string, unknown>).check_proxy_hash, true);
    assert.equal((client.localconf as Record<string, unknown>).proxy_policy, 'tdx');
    assert.equal((client.localconf as Record<string, unknown>).attestation_trust, 'dev');
  });

  test('a worker whose model is not in model_hashes refuses to start', async (t) => {
    const worker = spawnRole('worker-bad-model', 'worker', workerArgs(ports[5]!, 1, 'worker-bad-model', ['--model', UNREGISTERED_MODEL]), logs);
    children.set('worker-bad-model', worker.child);
    const exit = await exitWithin(worker.child, 30_000);
    assert.ok(exit, `the worker with an unregistered model kept running\n${worker.output()}`);
    assert.notEqual(exit.code, 0, `exit code: ${describeCode(exit.code, exit.signal)}`);
    assert.equal(worker.child.readyInfo, undefined, 'it never printed its ready line');
    const refusal = worker.lines.find((line) => line.includes('failed to start')) ?? '';
    t.diagnostic(refusal);
    assert.match(refusal, /model_hashes/, 'the refusal names model_hashes');
    assert.match(refusal, /CCN_ERR_ATTEST_POLICY/);
    assert.ok(refusal.includes(UNREGISTERED_MODEL), 'the refusal names the model');
    assert.equal(await proxyWorkerCount(proxyHttpUrl), 1, 'the proxy still lists only the registered worker');
  });

  test('a worker that cannot prove its image (fake_tdx quote) is refused by the proxy', async (t) => {
    const rejectedBefore = await proxyCounter(proxyHttpUrl, 'connections_rejected');
    // fake_tdx skips the worker's self-check; it still verifies the proxy (policy tdx, dev authority).
    const worker = spawnRole('worker-fake', 'worker', workerArgs(ports[6]!, 2, 'worker-fake', ['--tee', 'fake_tdx']), logs);
    children.set('worker-fake', worker.child);
    try {
      await waitFor(async () => (await proxyCounter(proxyHttpUrl, 'connections_rejected')) > rejectedBefore, 30_000,
        `the proxy to reject the fake_tdx worker\n${logs.tail()}`);
      const refusal = logs.lines.find((line) => line.startsWith('[proxy]') && line.includes('worker connection rejected')) ?? '';
      t.diagnostic(refusal);
      assert.match(refusal, /quote/i, 'the proxy logs the refusal of the worker quote');
      assert.equal(worker.child.readyInfo, undefined, 'the refused worker never became ready');
      assert.equal(worker.child.running, true, 'the refused worker keeps retrying (it is not a crash)');
      assert.equal(await proxyWorkerCount(proxyHttpUrl), 1, 'the refused worker is not in worker_connections');
    } finally {
      await worker.child.stop(3000);
    }
  });

  test('a client trusting another attestation authority refuses the proxy', async (t) => {
    const otherAuthorityDir = join(directory, 'other-authority');
    await (await DevAttestationAuthority.generate({ now: new Date() })).save(otherAuthorityDir);
    const clientHttp = ports[8]!;
    const client = spawnRole('client-untrusting', 'client', ['--http-host', '127.0.0.1', '--http-port', `${clientHttp}`, '--proxy-address', proxyClientAddress,
      ...common, '--node-wallet-key-file', join(directory, 'client-untrusting-wallet.key'),
      '--attestation-dev-authority-dir', otherAuthorityDir, '--proxy-policy', 'tdx'], logs);
    children.set('client-untrusting', client.child);
    try {
      await waitFor(() => /proxy connection failed/.test(client.output()), 15_000, `the client to refuse the proxy\n${client.output()}`);
      const refusal = client.lines.find((line) => line.includes('proxy connection failed')) ?? '';
      t.diagnostic(refusal);
      assert.match(refusal, /verification failed/, 'the client says the proxy attestation did not verify');
      assert.equal(client.child.readyInfo, undefined, 'the client never became ready');
      assert.equal(client.child.running, true, 'the client keeps retrying');
      const stats = await fetchJson(`http://127.0.0.1:${clientHttp}/jsonstats`);
      const connections = stats.proxy_connections as Array<Record<string, unknown>>;
      assert.equal(connections.length > 0 && connections.every((connection) => connection.is_ready === false), true, 'no connection to the proxy is ready');
      assert.equal((stats.localconf as Record<string, unknown>).check_proxy_hash, true);
    } finally {
      await client.child.stop(3000);
    }
  });
});

function describeCode(code: number | null, signal: string | null): string {
  return signal ? `signal ${signal}` : `${code}`;
}
