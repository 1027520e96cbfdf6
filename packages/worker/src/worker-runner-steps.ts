/**
 * The worker runner's start-up steps, in order: the chain account (on chain), the attestation,
 * the root checks and prices, the inference engine, the serving state and the proxy connection,
 * the stats server, then going live (payment checks, certificate refresh, the connection, the
 * engine health watch). Each step takes the context built so far and the runner's one
 * `CleanupStack`, and pushes how to release what it opened: a failed step unwinds exactly what
 * the earlier ones opened, and close() unwinds everything, newest first (health watch,
 * connection, attestation, stats server, engine, chain account).
 */
import { DEV_NETWORK_PARAMS, StaticNetworkParamsSource, loadOrCreateAdminToken, modelBaseName, startStatsHttpServer } from '@cocoon/protocol';
import type { CleanupStack, Logger, NetworkParamsSource, StatsHttpServer } from '@cocoon/protocol';
import { RootNetworkParamsSource } from '@cocoon/ton';
import { RootHashPolicy, RunnerAttestation } from '@cocoon/attestation';
import type { WorkerConfig } from './config/index.ts';
import { createWorkerEngine } from './engine/worker-engine-factory.ts';
import type { WorkerEngineStatus } from './engine/worker-engine-factory.ts';
import type { InferenceEngine } from './engine/index.ts';
import { WorkerQueryHandler } from './serving/worker-query-handler.ts';
import { WorkerStats, workerProxiesJson } from './serving/worker-stats.ts';
import { WorkerProxyConnection } from './connection/worker-proxy-connection.ts';
import { openWorkerChainAccount } from './chain/open-worker-chain-account.ts';
import type { WorkerChainAccount } from './chain/worker-chain-account.ts';
import type { WorkerRunnerDeps } from './worker-runner.ts';

/** What every step sees: the config (with the advertised model) and the injected parts. */
export interface WorkerStartContext {
  config: WorkerConfig;
  deps: WorkerRunnerDeps;
  logger: Logger;
  now: () => number;
}

export interface WorkerChainState {
  chainAccount: WorkerChainAccount | undefined;
}

export interface WorkerRootState {
  /** Whether the network is a test one (the root's flag on chain; off chain always). */
  networkIsTest: boolean;
  /** §7.3: with policy tdx on chain, the root's proxy_hashes the proxy's image must be in. */
  proxyHashes: RootHashPolicy | undefined;
  params: NetworkParamsSource;
}

export interface WorkerEngineState {
  engine: InferenceEngine;
  engineStatus: () => WorkerEngineStatus;
}

/** Engine health (the watch) and the operator's enable/disable: the worker takes requests when both say so. */
export interface WorkerAvailability {
  engineHealthy: boolean;
  operatorEnabled: boolean;
}

export interface WorkerServingState {
  stats: WorkerStats;
  handler: WorkerQueryHandler;
  availability: WorkerAvailability;
  connection: WorkerProxyConnection;
  announce: () => void;
}

type AfterChain = WorkerStartContext & WorkerChainState;
type AfterAttestation = AfterChain & { attestation: RunnerAttestation };
type AfterRoot = AfterAttestation & WorkerRootState;
type AfterEngine = AfterRoot & WorkerEngineState;
type AfterServing = AfterEngine & WorkerServingState;

/** On chain (`ton_endpoint`, or an injected chain): the wallet, contracts and payout ledgers; stopped on unwind. */
export function openChainStep(context: WorkerStartContext, stack: CleanupStack): WorkerChainState {
  const { config, deps, logger } = context;
  const chainAccount = openWorkerChainAccount(config, { logger, ...(deps.chain ? { chain: deps.chain } : {}) });
  if (chainAccount) stack.defer(() => chainAccount.stop(), 'chain account');
  return { chainAccount };
}

/** The worker's TEE identity, dated by the chain's clock on chain (nothing to release: the certificate refresh starts when going live). */
export async function openAttestationStep(context: AfterChain): Promise<{ attestation: RunnerAttestation }> {
  const { config, logger, now, chainAccount } = context;
  const attestation = await RunnerAttestation.open({
    role: 'worker', tee: config.tee, devAuthorityDir: config.attestation_dev_authority_dir, pccsUrl: config.attestation_pccs_url,
    collateralDir: config.attestation_collateral_dir, logger: logger.child('attestation'),
    now: async () => (chainAccount ? new Date((await chainAccount.chain.now()) * 1000) : new Date(now())),
  });
  return { attestation };
}

/**
 * §7.3: on chain a TEE worker checks its own image and model against the root and aborts when they are not
 * registered; with policy tdx the proxy's image must be in proxy_hashes. §5: on chain the root's price and
 * multipliers, re-read per request; off chain the dev params. (The root watcher is the chain account's.)
 */
export async function checkRootStep(context: AfterAttestation): Promise<WorkerRootState> {
  const { config, chainAccount, attestation } = context;
  const root = chainAccount ? await chainAccount.rootWatcher() : undefined;
  const rootHashes = root ? new RootHashPolicy(() => root.current) : undefined;
  if (rootHashes && (config.tee === 'tdx' || config.tee === 'simulated')) rootHashes.checkSelf('worker', attestation.imageHash, config.model);
  return {
    networkIsTest: root ? root.current.params.isTest : true,
    proxyHashes: config.proxy_policy === 'tdx' ? rootHashes : undefined,
    params: root ? new RootNetworkParamsSource(root) : new StaticNetworkParamsSource(DEV_NETWORK_PARAMS),
  };
}

/** The engine (llama: checks the file against model_identity, then loads it) — a mismatch ends the start here; closed on unwind. */
export async function openEngineStep(context: AfterRoot, stack: CleanupStack): Promise<WorkerEngineState> {
  const { config, deps, logger } = context;
  const setup = deps.engine ? undefined : await createWorkerEngine(config, { logger });
  const engine = deps.engine ?? setup!.engine;
  stack.defer(() => engine.close(), 'engine');
  const engineStatus = (): WorkerEngineStatus =>
    setup?.status() ?? { engine: config.engine, engine_url: config.engine_url ?? null, model: config.model, model_label: null };
  return { engine, engineStatus };
}

/** The query handler, the engine's first health check, and the proxy connection (it dials only when going live). */
export async function buildServingStep(context: AfterEngine): Promise<WorkerServingState> {
  const { config, logger, now, chainAccount, attestation, networkIsTest, proxyHashes, params, engine } = context;
  const stats = new WorkerStats(now);
  const handler = new WorkerQueryHandler({ engine, modelBaseName: modelBaseName(config.model), params, maxActiveRequests: config.max_active_requests, stats, logger, now });
  const availability: WorkerAvailability = {
    engineHealthy: (await engine.health().catch(() => ({ ok: false, models: [] }))).ok,
    operatorEnabled: true,
  };
  if (!availability.engineHealthy) logger.warn('inference engine is not healthy yet; the worker stays disabled until it is', { engine: config.engine, engine_url: config.engine_url });
  const isEnabled = () => availability.engineHealthy && availability.operatorEnabled;

  const [host, portText] = splitHostPort(config.proxy_address);
  const connection = new WorkerProxyConnection({
    host, port: Number(portText),
    identity: attestation.certificate,
    verifier: attestation.verifier({ policy: config.proxy_policy, expectedRole: 'proxy', hashes: proxyHashes, networkIsTest }),
    maxPowDifficulty: config.max_pow_difficulty,
    ownerAddress: config.owner_address, model: config.model, coefficient: config.coefficient,
    maxActiveRequests: config.max_active_requests, proxyConnections: config.proxy_connections, isTest: config.is_test,
    handler, logger, isEnabled,
    ...(chainAccount ? { payments: chainAccount } : {}),
  });
  return { stats, handler, availability, connection, announce: () => connection.announceAvailability(isEnabled()) };
}

/** `/stats` + `/jsonstats` and the operator controls (enable, disable, payout on chain). */
export async function startStatsStep(context: AfterServing, stack: CleanupStack): Promise<StatsHttpServer> {
  const { config, deps, chainAccount, attestation, proxyHashes, engineStatus, stats, handler, availability, connection, announce } = context;
  const statsServer = await startStatsHttpServer({
    host: deps.statsHost ?? '127.0.0.1', port: config.http_port, title: 'COCOON worker', accessHash: config.http_access_hash || undefined,
    adminToken: loadOrCreateAdminToken(config.admin_token_file), corsOrigins: config.http_cors_origins, allowedHosts: config.http_allowed_hosts,
    jsonStats: () => ({
      status: {
        enabled: availability.engineHealthy && availability.operatorEnabled, engine_healthy: availability.engineHealthy, actual_model: config.model, ...engineStatus(), ton_last_synced_at: null,
      },
      stats: stats.json(),
      localconfig: { root_address: config.root_contract_address, owner_address: config.owner_address, model: config.model, coefficient: config.coefficient, check_proxy_hash: proxyHashes !== undefined, proxy_policy: config.proxy_policy },
      attestation: { tee: attestation.tee, image_hash: attestation.imageHash.toString('hex'), trust: attestation.trustName },
      running_requests: handler.activeRequests,
      proxies: workerProxiesJson([connection], chainAccount?.proxiesJson()),
      ...(chainAccount ? { wallet: chainAccount.walletJson() } : {}),
    }),
    controls: {
      enable: async () => { availability.operatorEnabled = true; announce(); return { enabled: availability.engineHealthy }; },
      disable: async () => { availability.operatorEnabled = false; announce(); return { enabled: false }; },
      ...(chainAccount ? { payout: async (query: URLSearchParams) => chainAccount.requestPayout(query.get('proxy') ?? undefined) } : {}),
    },
  });
  return stack.push(statsServer, () => statsServer.close(), 'stats server');
}

/**
 * Once the stats port is ours: payment status checks (on chain), the certificate refresh, the proxy
 * connection, and the engine health watch (announces changes to the proxy); waits for the proxy.
 */
export async function goLiveStep(context: AfterServing, stack: CleanupStack): Promise<void> {
  const { config, deps, logger, chainAccount, attestation, engine, availability, connection, announce } = context;
  chainAccount?.start(); // its stop is already on the stack
  attestation.start();
  stack.defer(() => attestation.stop(), 'attestation');
  connection.start();
  stack.defer(() => connection.close(), 'proxy connection');
  const healthTimer = setInterval(() => {
    void engine.health().then((health) => health.ok, () => false).then((ok) => {
      if (ok === availability.engineHealthy) return;
      availability.engineHealthy = ok;
      logger.warn(ok ? 'inference engine recovered; enabling' : 'inference engine unhealthy; disabling', { engine: config.engine, engine_url: config.engine_url });
      announce();
    });
  }, deps.healthIntervalMs ?? 2000);
  healthTimer.unref();
  stack.defer(() => clearInterval(healthTimer), 'engine health watch');
  await connection.whenReady();
}

/** The `{"event":"ready",…}` fields. */
export function buildReadyInfo(context: WorkerStartContext, statsServer: StatsHttpServer): Record<string, unknown> {
  return { stats_url: statsServer.url, model: context.config.model, proxy: context.config.proxy_address };
}

function splitHostPort(address: string): [string, string] {
  const colon = address.lastIndexOf(':');
  return [address.slice(0, colon).replace(/^\[|\]$/g, ''), address.slice(colon + 1)];
}
