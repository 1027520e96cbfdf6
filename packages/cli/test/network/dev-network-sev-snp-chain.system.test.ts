/**
 * System test of a MIXED dev network on a local TON chain (`cocoon dev --tee mixed`, one worker):
 * the proxy, the key manager and the client's trust on simulated TDX, the worker on simulated
 * SEV-SNP. The dev root lists exactly the proxy's TDX image and the worker's SEV-SNP image; every
 * hop verifies under policy tdx (the proxy the SEV-SNP worker, the worker the TDX proxy, the key
 * manager both); a chat completion is answered; the proxy's /jsonstats shows the worker's tee as
 * sev-snp. A simulated SEV-SNP worker identity whose image the root does not list (the debug
 * build of the same worker, genuinely signed by the dev VCEK) is refused by the proxy.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { Address } from '@ton/core';
import {
  AnyPolicyVerifier, DevAttestationAuthority, SimulatedSevSnpProvider, computeSevSnpImageHash, createAttestedCertificate, dialSecure,
  measureSimulatedRunner, measureSimulatedRunnerImage, measureSimulatedSevSnpRunner, simulatedRunnerStaticConfig, simulatedSevSnpMeasurement,
} from '@cocoon/attestation';
import { createChain, readRootConfig } from '@cocoon/ton';
import { startDevNetwork } from '../../src/index.ts';
import type { DevNetwork } from '../../src/index.ts';
import { proxyCounter, proxyWorkerCount } from './attestation-harness.ts';
import { ChildLogs, fetchJson, freePorts, waitFor } from './network-harness.ts';

describe('cocoon dev --tee mixed on a local TON chain: TDX proxy ↔ SEV-SNP worker', { timeout: 240_000 }, () => {
  const logs = new ChildLogs();
  let network: DevNetwork;
  let directory: string;
  let proxyHttpUrl: string;

  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'cocoon-dev-sev-snp-'));
    const [clientHttp, proxyHttp, proxyWorker, proxyClient, workerHttp, engine, chain, keyManagerHttp, keyManagerRpc] = await freePorts(9);
    proxyHttpUrl = `http://127.0.0.1:${proxyHttp}`;
    network = await startDevNetwork({
      engine: 'test', workers: 1, attestation: 'mixed',
      ports: { clientHttp, proxyHttp, proxyWorker, proxyClient, workerHttp, engine, chain, keyManagerHttp, keyManagerRpc },
      powDifficulty: 8, onLine: logs.onLine, readyTimeoutMs: 180_000,
      chain: { directory, saveStateIntervalMs: 60_000, pollIntervalMs: 200 },
    });
  });

  after(async () => {
    await network?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  test('the root lists the TDX proxy and the SEV-SNP worker; a request is answered; /jsonstats shows tee sev-snp', async () => {
    assert.equal(network.attestation, 'mixed');
    const [proxyTdx, workerSev, workerTdx] = await Promise.all([measureSimulatedRunner('proxy'), measureSimulatedSevSnpRunner('worker'), measureSimulatedRunner('worker')]);
    const chain = await createChain({ kind: 'toncenter', endpoint: network.chain!.endpoint });
    try {
      const root = await readRootConfig(chain, Address.parse(network.chain!.rootAddress));
      assert.deepEqual([...root.proxyHashes], [proxyTdx.imageHash.toString('hex')], 'exactly the proxy TDX image');
      assert.deepEqual([...root.workerHashes], [workerSev.imageHash.toString('hex')], 'exactly the worker SEV-SNP image, not its TDX one');
    } finally {
      await chain.close();
    }

    const openai = new OpenAI({ baseURL: network.baseUrl, apiKey: 'unused', maxRetries: 0 });
    const answer = await openai.chat.completions.create({ model: 'test/tiny-chat', messages: [{ role: 'user', content: 'hello from a mixed TDX / SEV-SNP network' }] })
      .catch((error: unknown) => assert.fail(`chat completion failed: ${String(error)}\n${logs.tail()}`));
    assert.ok((answer.choices[0]?.message.content ?? '').length > 0, 'the SEV-SNP worker answered');

    const proxy = await fetchJson(`${proxyHttpUrl}/jsonstats`);
    const status = proxy.status as Record<string, unknown>;
    assert.equal(status.tee, 'simulated');
    assert.equal(status.actual_image_hash, proxyTdx.imageHash.toString('hex'));
    assert.equal((proxy.localconfig as Record<string, unknown>).check_worker_hashes, true);
    const [worker] = proxy.worker_connections as Array<Record<string, unknown>>;
    assert.ok(worker, 'the worker is connected');
    assert.equal(worker.tee, 'sev-snp');
    assert.equal(worker.attestation_policy, 'tdx');
    assert.equal(worker.image_hash, workerSev.imageHash.toString('hex'));
    assert.notEqual(worker.image_hash, workerTdx.imageHash.toString('hex'));
    assert.match(String(worker.tcb_status), /^SEV-SNP Genoa \(dev chain\) TCB /);

    const workerStats = await fetchJson(network.statsUrls['worker-1']!.replace(/\/stats$/, '/jsonstats'));
    assert.equal((workerStats.attestation as Record<string, unknown>).tee, 'simulated-sev-snp');
    assert.equal((workerStats.localconfig as Record<string, unknown>).check_proxy_hash, true);
  });

  test('the TDX key manager serves the SEV-SNP worker its keys', async () => {
    const statsUrl = network.statsUrls['key-manager']!.replace(/\/stats$/, '/jsonstats');
    const served = async () => ((await fetchJson(statsUrl)).requests as { served_to_workers: number; served_to_proxies: number; refused: number });
    await waitFor(async () => (await served()).served_to_workers > 0, 30_000, `the key manager to serve the SEV-SNP worker\n${logs.tail()}`);
    assert.equal((await served()).refused, 0);
  });

  test('a simulated SEV-SNP worker whose image the root does not list is refused by the proxy', async (t) => {
    const authority = await DevAttestationAuthority.load(join(directory, 'attestation'));
    const staticConfig = simulatedRunnerStaticConfig('worker');
    const { codeBundleHash } = await measureSimulatedRunnerImage(staticConfig);
    const measurement = simulatedSevSnpMeasurement(codeBundleHash, staticConfig, true); // the debug build of this worker
    const unlisted = computeSevSnpImageHash(measurement).toString('hex');
    const chain = await createChain({ kind: 'toncenter', endpoint: network.chain!.endpoint });
    let chainNow: Date;
    try {
      assert.equal((await readRootConfig(chain, Address.parse(network.chain!.rootAddress))).workerHashes.has(unlisted), false);
      chainNow = new Date((await chain.now()) * 1000 - 60_000); // dated like a runner's: by the chain's clock
    } finally {
      await chain.close();
    }
    const identity = await createAttestedCertificate({ provider: new SimulatedSevSnpProvider({ authority: authority.sevSnp!, measurement }), now: chainNow });
    const rejectedBefore = await proxyCounter(proxyHttpUrl, 'connections_rejected');
    // TLS 1.3: the dial may complete before the proxy has checked our certificate; the proxy's verdict is what counts.
    const connection = await dialSecure({ host: '127.0.0.1', port: network.ports.proxyWorker, identity, verifier: new AnyPolicyVerifier(), maxPowDifficulty: 28, timeoutMs: 15_000 })
      .catch((error: unknown) => void t.diagnostic(`dial: ${String(error)}`));
    t.after(() => connection?.socket.destroy());
    await waitFor(async () => (await proxyCounter(proxyHttpUrl, 'connections_rejected')) > rejectedBefore, 30_000, `the proxy to refuse the unlisted SEV-SNP worker\n${logs.tail()}`);
    const refusalLine = () => logs.lines.find((line) => line.startsWith('[proxy]') && line.includes('worker connection rejected')) ?? '';
    await waitFor(() => refusalLine() !== '', 10_000, `the proxy to log the refusal\n${logs.tail()}`);
    const refusal = refusalLine();
    t.diagnostic(refusal);
    assert.match(refusal, /not in the root contract's worker_hashes/);
    assert.ok(refusal.includes(unlisted), 'the refusal names the unlisted SEV-SNP image hash');
    assert.equal(await proxyWorkerCount(proxyHttpUrl), 1, 'only the registered SEV-SNP worker is connected');
  });
});
