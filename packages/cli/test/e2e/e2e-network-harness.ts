/**
 * Test support for the end-to-end encryption system tests: a proxy, workers on the real test engine
 * and a client runner started in process off chain (as the interop tests do), optionally with the
 * TLS frame interposer between the client runner and the proxy and/or between the workers and the
 * proxy, the proxy's log lines captured (debug level) and its ledger on disk (LMDB), and the app
 * side: the Node evidence verifier under the fake_tdx policy the workers attest with, and helpers
 * that read an end-to-end answer's outcome (its CCN_ERR_* code, before or during the body).
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, readAdminToken } from '@cocoon/protocol';
import type { RunnerHandle } from '@cocoon/protocol';
import { RunnerAttestation, createE2eEvidenceVerifier } from '@cocoon/attestation';
import type { NodeE2eEvidenceVerifier } from '@cocoon/attestation';
import { LmdbLedger, proxyConfigSchema, startProxyRunner } from '@cocoon/proxy';
import { startTestEngine, startWorkerRunner, workerConfigSchema } from '@cocoon/worker';
import type { TestEngine, TestEngineOptions } from '@cocoon/worker';
import { clientConfigSchema, startClientRunner } from '@cocoon/client';
import { TlsFrameInterposer } from '@cocoon/test-support';

export const E2E_TEST_MODEL = 'test/tiny-chat';

export interface E2eNetworkOptions {
  workers?: number;
  interposeClient?: boolean;
  interposeWorkers?: boolean;
  engine?: TestEngineOptions;
  /** Also a worker with e2e off serving this model (a model only clear requests reach). */
  clearOnlyModel?: string;
}

export interface E2eNetwork {
  directory: string;
  engine: TestEngine;
  proxy: RunnerHandle;
  workers: RunnerHandle[];
  client: RunnerHandle;
  /** The client runner's API URL (ends in /v1). */
  baseUrl: string;
  /** The client runner's root URL (no /v1). */
  rootUrl: string;
  /** A client config file for the CLI (its http_port and admin_token_file). */
  clientConfigFile: string;
  clientAdminToken: () => string;
  /** Every line the proxy logged (debug and up). */
  proxyLogs: string[];
  ledgerDir: string;
  clientInterposer: TlsFrameInterposer | undefined;
  workerInterposer: TlsFrameInterposer | undefined;
  verifier: NodeE2eEvidenceVerifier;
  close(): Promise<void>;
}

const quiet = (name: string) => createLogger(name, { level: 'error' });

export async function waitFor(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The Node evidence verifier an app would build for this off-chain test network (fake_tdx workers, no hash checks). */
export async function testEvidenceVerifier(): Promise<NodeE2eEvidenceVerifier> {
  const attestation = await RunnerAttestation.open({
    role: 'client', tee: 'none', devAuthorityDir: '', pccsUrl: 'https://api.trustedservices.intel.com', collateralDir: join(tmpdir(), 'cocoon-e2e-collateral'),
    now: () => new Date(), logger: quiet('app'),
  });
  attestation.certificate.stop();
  return createE2eEvidenceVerifier(attestation, { policy: 'fake_tdx', networkIsTest: true });
}

export async function startE2eNetwork(options: E2eNetworkOptions = {}): Promise<E2eNetwork> {
  const directory = mkdtempSync(join(tmpdir(), 'cocoon-e2e-'));
  const ledgerDir = join(directory, 'ledger');
  const proxyLogs: string[] = [];
  const opened: Array<{ close(): Promise<void> }> = [];
  const close = async (): Promise<void> => {
    for (const part of opened.reverse()) await part.close().catch(() => undefined);
    rmSync(directory, { recursive: true, force: true });
  };
  try {
    const engine = await startTestEngine({ host: '127.0.0.1', port: 0, ...options.engine });
    opened.push(engine);
    // Off chain the proxy keeps its ledger in memory unless given one: here the real LMDB ledger, on disk.
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const raw = (jwk: string | undefined) => Buffer.from(jwk ?? '', 'base64url');
    const ledger = await LmdbLedger.open({ path: ledgerDir, auditThreads: 1, signingKey: { publicKey: raw(publicKey.export({ format: 'jwk' }).x), secretKey: raw(privateKey.export({ format: 'jwk' }).d) } });
    const proxy = await startProxyRunner(proxyConfigSchema.parse({
      client_port: 0, worker_port: 0, http_port: 0, pow_difficulty: 2,
      admin_token_file: join(directory, 'proxy.token'), proxy_key_file: join(directory, 'proxy.key'),
    }), { ledger, logger: createLogger('proxy', { level: 'debug', write: (line) => proxyLogs.push(line) }) });
    opened.push(proxy);
    const { worker_port: workerPort, client_port: clientPort } = proxy.readyInfo as { worker_port: number; client_port: number };
    const workerInterposer = options.interposeWorkers ? await TlsFrameInterposer.start({ upstream: { host: '127.0.0.1', port: workerPort } }) : undefined;
    if (workerInterposer) opened.push(workerInterposer);
    const clientInterposer = options.interposeClient ? await TlsFrameInterposer.start({ upstream: { host: '127.0.0.1', port: clientPort } }) : undefined;
    if (clientInterposer) opened.push(clientInterposer);
    const workers: RunnerHandle[] = [];
    for (let index = 0; index < (options.workers ?? 1); index++) {
      const worker = await startWorkerRunner(workerConfigSchema.parse({
        engine_url: engine.url, proxy_address: workerInterposer?.address ?? `127.0.0.1:${workerPort}`, http_port: 0,
        ...(workerInterposer ? { proxy_policy: 'any' } : {}),
        admin_token_file: join(directory, `worker${index}.token`), worker_state_dir: join(directory, `worker${index}`),
      }), { logger: quiet(`worker${index}`) });
      opened.push(worker);
      workers.push(worker);
    }
    if (options.clearOnlyModel) {
      const worker = await startWorkerRunner(workerConfigSchema.parse({
        engine_url: engine.url, proxy_address: `127.0.0.1:${workerPort}`, http_port: 0, e2e_enabled: false, model: `${options.clearOnlyModel}@dev:${'0'.repeat(64)}`,
        admin_token_file: join(directory, 'clear-worker.token'), worker_state_dir: join(directory, 'clear-worker'),
      }), { logger: quiet('clear-worker') });
      opened.push(worker);
      workers.push(worker);
    }
    const clientTokenFile = join(directory, 'client.token');
    const client = await startClientRunner(clientConfigSchema.parse({
      proxy_address: clientInterposer?.address ?? `127.0.0.1:${clientPort}`, http_port: 0, admin_token_file: clientTokenFile,
      receipts_dir: join(directory, 'receipts'),
      e2e_workers_cache_ms: 0, // the tampering tests change the listing between requests
      ...(clientInterposer ? { proxy_policy: 'any' } : {}),
    }), { logger: quiet('client') });
    opened.push(client);
    const baseUrl = client.readyInfo.url as string;
    const rootUrl = baseUrl.replace(/\/v1\/?$/, '');
    const port = Number(new URL(rootUrl).port);
    const clientConfigFile = join(directory, 'client.json');
    writeFileSync(clientConfigFile, JSON.stringify({ http_port: port, admin_token_file: clientTokenFile, proxy_policy: 'fake_tdx' }));
    const count = options.workers ?? 1;
    if (options.clearOnlyModel) {
      await waitFor(async () => JSON.stringify(await (await fetch(`${baseUrl}/models`)).json()).includes(options.clearOnlyModel!), 'the clear-only worker to be listed');
    }
    await waitFor(async () => {
      const listing = await (await fetch(`${rootUrl}/v1/e2e/workers?model=${encodeURIComponent(E2E_TEST_MODEL)}`)).json() as { workers?: unknown[] };
      return (listing.workers?.length ?? 0) >= count;
    }, 'the e2e workers to be listed');
    return {
      directory, engine, proxy, workers, client, baseUrl, rootUrl, clientConfigFile, clientAdminToken: () => readAdminToken(clientTokenFile), proxyLogs, ledgerDir,
      clientInterposer, workerInterposer, verifier: await testEvidenceVerifier(), close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Every file under a directory, with its bytes. */
export function filesUnder(directory: string): Array<{ path: string; bytes: Buffer }> {
  let names: string[];
  try { names = readdirSync(directory); } catch { return []; }
  return names.flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [{ path, bytes: readFileSync(path) }];
  });
}

/** How an end-to-end answer ended: 'ok' when its body read to the end, else its CCN_ERR_* code. */
export async function outcomeOf(response: Response): Promise<string> {
  if (!response.ok) return ((await response.json()) as { error: { code: string } }).error.code;
  try {
    await response.text();
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}
