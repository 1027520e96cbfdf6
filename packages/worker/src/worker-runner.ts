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
import { RootHashPolicy, RunnerAttestation } from '@cocoon/attestation';
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
  const chainAccount = openWorkerChainAccount(config, { logger, ...(deps.chain ? { chain: deps.chain } : {}) });
  const attestation = await RunnerAttestation.open({
    role: 'worker', tee: config.tee, devAuthorityDir: config.attestation_dev_authority_dir, pccsUrl: config.attestation_pccs_url,
    collateralDir: config.attestation_collateral_dir, logger: logger.child('attestation'),
    now: async () => (chainAccount ? new Date((await chainAccount.chain.now()) * 1000) : new Date(now())),
  });
  // §7.3: on chain a TEE worker checks its own image and model against the root and aborts when they are not registered;
  // with policy tdx the proxy's image must be in proxy_hashes.
  const root = chainAccount ? await chainAccount.rootWatcher().catch((error: unknown) => { chainAccount.stop(); throw error; }) : undefined;
  const rootHashes = root ? new RootHashPolicy(() => root.current) : undefined;
  try {
    if (rootHashes && (config.tee === 'tdx' || config.tee === 'simulated')) rootHashes.checkSelf('worker', attestation.imageHash, config.model);
  } catch (error) {
    chainAccount?.stop();
    throw error;
  }
  const proxyHashes = config.proxy_policy === 'tdx' ? rootHashes : undefined;
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

  const [host, portText] = splitHostPort(config.proxy_address);
  const connection = new WorkerProxyConnection({
    host, port: Number(portText),
    identity: attestation.certificate,
    verifier: attestation.verifier({ policy: config.proxy_policy, expectedRole: 'proxy', hashes: proxyHashes, networkIsTest: root ? root.current.params.isTest : true }),
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
      localconfig: { root_address: config.root_contract_address, owner_address: config.owner_address, model: config.model, coefficient: config.coefficient, check_proxy_hash: proxyHashes !== undefined, proxy_policy: config.proxy_policy },
      attestation: { tee: attestation.tee, image_hash: attestation.imageHash.toString('hex'), trust: attestation.trustName },
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
  attestation.start();
  connection.start(); // only once the stats port is ours
  await connection.whenReady();
  logger.info('worker ready', { model: config.model, coefficient: config.coefficient, proxy: config.proxy_address, stats: statsServer.url });
  return {
    readyInfo: { stats_url: statsServer.url, model: config.model, proxy: config.proxy_address },
    async close() {
      clearInterval(healthTimer);
      attestation.stop();
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
