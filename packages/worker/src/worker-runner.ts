/**
 * The worker runner: checks its inference engine, connects out to the proxy over PoW +
 * attested TLS, serves requests with SSE-aware billing, keeps the proxy informed of its
 * availability (engine health, operator enable/disable), and serves `/stats` + `/jsonstats`.
 * With `ton_endpoint` set it also runs on chain (WorkerChainAccount: contract checks and
 * deployment, durable payout ledger, cash-out, `/request/payout`).
 */
import { DEV_NETWORK_PARAMS, createLogger, modelBaseName, startStatsHttpServer } from '@cocoon/protocol';
import type { RunnerHandle, Logger, NetworkParams } from '@cocoon/protocol';
import type { Chain } from '@cocoon/ton';
import { FakeTdxProvider, createAttestedCertificate, createPeerVerifier } from '@cocoon/attestation';
import { advertisedWorkerModel } from './config/index.ts';
import type { WorkerConfig } from './config/index.ts';
import { createWorkerEngine } from './engine/worker-engine-factory.ts';
import type { WorkerEngineStatus } from './engine/worker-engine-factory.ts';
import type { InferenceEngine } from './engine/index.ts';
import { WorkerQueryHandler } from './serving/worker-query-handler.ts';
import { WorkerStats, workerProxiesJson } from './serving/worker-stats.ts';
import { WorkerProxyConnection } from './connection/worker-proxy-connection.ts';
import { openWorkerChainAccount } from './chain/open-worker-chain-account.ts';

export interface WorkerRunnerDeps {
  engine?: InferenceEngine;
  logger?: Logger;
  now?: () => number;
  params?: NetworkParams;
  /** Host the stats server binds to (127.0.0.1). */
  statsHost?: string;
  healthIntervalMs?: number;
  /** Run on this chain (tests: a SandboxChain) even when `ton_endpoint` is ''. */
  chain?: Chain;
}


export async function startWorkerRunner(configInput: WorkerConfig, deps: WorkerRunnerDeps = {}): Promise<RunnerHandle> {
  const logger = deps.logger ?? createLogger('worker');
  const now = deps.now ?? Date.now;
  const params = deps.params ?? DEV_NETWORK_PARAMS;
  const config: WorkerConfig = { ...configInput, model: advertisedWorkerModel(configInput) };
  // The engine (llama: checks the file against model_identity, then loads it) — a mismatch ends the start here.
  const setup = deps.engine ? undefined : await createWorkerEngine(config, { logger });
  const engine = deps.engine ?? setup!.engine;
  const engineStatus = (): WorkerEngineStatus =>
    setup?.status() ?? { engine: config.engine, engine_url: config.engine_url ?? null, model: config.model, model_label: null };
  const stats = new WorkerStats(now);
  const handler = new WorkerQueryHandler({ engine, modelBaseName: modelBaseName(config.model), params, maxActiveRequests: config.max_active_requests, stats, logger, now });

  let engineHealthy = (await engine.health().catch(() => ({ ok: false, models: [] }))).ok;
  let operatorEnabled = true;
  if (!engineHealthy) logger.warn('inference engine is not healthy yet; the worker stays disabled until it is', { engine: config.engine, engine_url: config.engine_url });

  const chainAccount = openWorkerChainAccount(config, { logger, ...(deps.chain ? { chain: deps.chain } : {}) });
  const certificate = await createAttestedCertificate({ provider: new FakeTdxProvider(), now: new Date(now()) });
  const [host, portText] = splitHostPort(config.proxy_address);
  const connection = new WorkerProxyConnection({
    host, port: Number(portText),
    identity: { certificatePem: certificate.certificatePem, privateKeyPem: certificate.privateKeyPem },
    verifier: createPeerVerifier(config.proxy_policy),
    maxPowDifficulty: config.max_pow_difficulty,
    ownerAddress: config.owner_address, model: config.model, coefficient: config.coefficient,
    maxActiveRequests: config.max_active_requests, proxyConnections: config.proxy_connections, isTest: config.is_test,
    handler, logger, isEnabled: () => engineHealthy && operatorEnabled,
    ...(chainAccount ? { payments: chainAccount } : {}),
  });
  const announce = () => connection.announceAvailability(engineHealthy && operatorEnabled);
  const healthTimer = setInterval(() => {
    engine.health().then((health) => health.ok, () => false).then((ok) => {
      if (ok === engineHealthy) return;
      engineHealthy = ok;
      logger.warn(ok ? 'inference engine recovered; enabling' : 'inference engine unhealthy; disabling', { engine: config.engine, engine_url: config.engine_url });
      announce();
    });
  }, deps.healthIntervalMs ?? 2000);
  healthTimer.unref();

  const statsServer = await startStatsHttpServer({
    host: deps.statsHost ?? '127.0.0.1', port: config.http_port, title: 'COCOON worker', accessHash: config.http_access_hash || undefined,
    jsonStats: () => ({
      status: { enabled: engineHealthy && operatorEnabled, engine_healthy: engineHealthy, actual_model: config.model, ...engineStatus(), ton_last_synced_at: null },
      stats: stats.json(),
      localconfig: { root_address: config.root_contract_address, owner_address: config.owner_address, model: config.model, coefficient: config.coefficient, check_proxy_hash: false, proxy_policy: config.proxy_policy },
      running_requests: handler.activeRequests,
      proxies: workerProxiesJson([connection], chainAccount?.proxiesJson()),
      ...(chainAccount ? { wallet: chainAccount.walletJson() } : {}),
    }),
    controls: {
      enable: async () => { operatorEnabled = true; announce(); return { enabled: engineHealthy }; },
      disable: async () => { operatorEnabled = false; announce(); return { enabled: false }; },
      ...(chainAccount ? { payout: async (query: URLSearchParams) => chainAccount.requestPayout(query.get('proxy') ?? undefined) } : {}),
    },
  });

  chainAccount?.start();
  connection.start(); // only once the stats port is ours
  await connection.whenReady();
  logger.info('worker ready', { model: config.model, coefficient: config.coefficient, proxy: config.proxy_address, stats: statsServer.url });
  return {
    readyInfo: { stats_url: statsServer.url, model: config.model, proxy: config.proxy_address },
    async close() {
      clearInterval(healthTimer);
      connection.close();
      chainAccount?.stop();
      await statsServer.close();
      await engine.close();
    },
  };
}

function splitHostPort(address: string): [string, string] {
  const colon = address.lastIndexOf(':');
  return [address.slice(0, colon).replace(/^\[|\]$/g, ''), address.slice(colon + 1)];
}
