/**
 * The worker runner's start-up steps, in order: the chain account (on chain), the attestation,
 * the root checks and prices, the inference engine, the serving state and the proxy connection,
 * the stats server, then going live (payment checks, certificate refresh, e2e key rotation, the connection, the
 * engine health watch). Each step takes the context built so far and the runner's one
 * `CleanupStack`, and pushes how to release what it opened: a failed step unwinds exactly what
 * the earlier ones opened, and close() unwinds everything, newest first (health watch,
 * connection, attestation, stats server, engine, chain account).
 */
import { CocoonError, DEV_NETWORK_PARAMS, StaticNetworkParamsSource, loadOrCreateAdminToken, startStatsHttpServer } from '@cocoon/protocol';
import { EncryptionKeyRing } from '@cocoon/protocol';
import type { CleanupStack, CocoonSession, Logger, NetworkParamsSource, StatsHttpServer } from '@cocoon/protocol';
import { RootNetworkParamsSource } from '@cocoon/ton';
import { KeyManagerClient, RootHashPolicy, RunnerAttestation } from '@cocoon/attestation';
import type { WorkerConfig } from './config/index.ts';
import { createWorkerEngine } from './engine/worker-engine-factory.ts';
import type { WorkerEngineStatus } from './engine/worker-engine-factory.ts';
import type { InferenceEngine } from './engine/index.ts';
import { WorkerQueryHandler } from './serving/worker-query-handler.ts';
import { WorkerStats, workerProxiesJson } from './serving/worker-stats.ts';
import { WorkerProxyConnections, workerProxyTargets } from './connection/worker-proxy-connections.ts';
import { WorkerModelSwitch } from './models/worker-model-switch.ts';
import { WorkerE2e } from './e2e/worker-e2e.ts';
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
  /** On chain with a TEE: throws unless the root's model_hashes has the model (a model switch's check). */
  modelCheck: ((model: string) => void) | undefined;
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
  /** The proxy sessions: one per proxy served (§1.2). */
  connection: WorkerProxyConnections;
  announce: () => void;
  /** The model served now and its switch (`worker.changeModel`). */
  models: WorkerModelSwitch;
  /** End-to-end keys, evidence and request opening; undefined with e2e_enabled false. */
  e2e: WorkerE2e | undefined;
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
  const checksSelf = rootHashes !== undefined && config.tee !== 'none' && config.tee !== 'fake_tdx';
  if (checksSelf) rootHashes.checkSelf('worker', attestation.imageHash, config.model);
  return {
    networkIsTest: root ? root.current.params.isTest : true,
    proxyHashes: config.proxy_policy === 'tdx' ? rootHashes : undefined,
    modelCheck: checksSelf ? (model) => rootHashes.checkModel(model) : undefined,
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
  const { config, logger, now, chainAccount, attestation, networkIsTest, proxyHashes, modelCheck, params, engine } = context;
  const models = new WorkerModelSwitch({
    model: config.model, script: config.change_model_script, timeoutMs: config.change_model_timeout_seconds * 1000, checkModel: modelCheck, logger, now,
  });
  const stats = new WorkerStats(now, () => params.current().workerFeePerToken); // what a billed token earns (§5.2)
  const e2e = config.e2e_enabled
    ? await WorkerE2e.open({
      certificate: attestation.certificate, models, rotationSeconds: config.e2e_key_rotation_seconds, graceSeconds: config.e2e_key_grace_seconds,
      replayWindowSeconds: config.e2e_replay_window_seconds, now, logger: logger.child('e2e'),
    })
    : undefined;
  const handler = new WorkerQueryHandler({
    engine, get modelBaseName() { return models.baseName; }, params, maxActiveRequests: config.max_active_requests, stats, logger, now, ...(e2e ? { e2e: e2e.context } : {}),
  });
  const availability: WorkerAvailability = {
    engineHealthy: (await engine.health().catch(() => ({ ok: false, models: [] }))).ok,
    operatorEnabled: true,
  };
  if (!availability.engineHealthy) logger.warn('inference engine is not healthy yet; the worker stays disabled until it is', { engine: config.engine, engine_url: config.engine_url });
  const isEnabled = () => availability.engineHealthy && availability.operatorEnabled;

  // §1.2: proxy_address, proxy_addresses or (on chain, discover_proxies) the root's registered proxies; proxy_cnt = how many.
  const registered = chainAccount && config.discover_proxies ? await chainAccount.registeredProxyWorkerAddresses() : undefined;
  const targets = workerProxyTargets(config, registered);
  const connection = new WorkerProxyConnections(targets.addresses, {
    identity: attestation.certificate,
    verifier: attestation.verifier({ policy: config.proxy_policy, expectedRole: 'proxy', hashes: proxyHashes, networkIsTest }),
    maxPowDifficulty: config.max_pow_difficulty,
    ownerAddress: config.owner_address, model: config.model, coefficient: config.coefficient,
    maxActiveRequests: config.max_active_requests, proxyConnections: targets.proxyCount, isTest: config.is_test,
    handler, logger, isEnabled, models,
    ...(config.machine_description_json !== undefined ? { machineDescriptionJson: config.machine_description_json } : {}),
    ...(chainAccount ? { payments: chainAccount } : {}),
    ...(e2e ? { onSessionReady: (session: CocoonSession) => e2e.announcer.attach(session) } : {}),
  });
  return { stats, handler, availability, connection, announce: () => connection.announceAvailability(isEnabled()), models, e2e };
}

/** `/stats` + `/jsonstats` and the operator controls (enable, disable, payout on chain). */
export async function startStatsStep(context: AfterServing, stack: CleanupStack): Promise<StatsHttpServer> {
  const { config, deps, chainAccount, attestation, proxyHashes, engineStatus, stats, handler, availability, connection, announce, params, models } = context;
  stats.metrics.attach({
    activeRequests: () => handler.activeRequests, maxActiveRequests: config.max_active_requests,
    engineHealthy: () => availability.engineHealthy, enabled: () => availability.engineHealthy && availability.operatorEnabled,
    proxiesConnected: () => connection.readyCount, certificateRefreshes: () => attestation.certificate.generation - 1,
    ...(chainAccount ? { chainSyncAgeSeconds: async () => Math.max(0, (Date.now() - (await chainAccount.rootWatcher()).lastSyncedAt) / 1000) } : {}),
  });
  const statsServer = await startStatsHttpServer({
    host: deps.statsHost ?? '127.0.0.1', port: config.http_port, title: 'COCOON worker', role: 'worker', accessHash: config.http_access_hash || undefined,
    adminToken: loadOrCreateAdminToken(config.admin_token_file), corsOrigins: config.http_cors_origins, allowedHosts: config.http_allowed_hosts,
    jsonStats: () => ({
      status: {
        enabled: availability.engineHealthy && availability.operatorEnabled, engine_healthy: availability.engineHealthy, ...engineStatus(), actual_model: models.current, ton_last_synced_at: null,
        proto_version: connection.protoVersion, machine_description: config.machine_description_json ?? '{}', model_switch: models.status(),
      },
      stats: stats.json(),
      localconfig: { root_address: config.root_contract_address, owner_address: config.owner_address, model: config.model, coefficient: config.coefficient, check_proxy_hash: proxyHashes !== undefined, proxy_policy: config.proxy_policy },
      attestation: { tee: attestation.tee, image_hash: attestation.imageHash.toString('hex'), trust: attestation.trustName },
      prices: { price_per_token: params.current().pricePerToken, worker_fee_per_token: params.current().workerFeePerToken }, // what earned tokens are worth (dashboard)
      running_requests: handler.activeRequests, max_active_requests: config.max_active_requests,
      proxies: workerProxiesJson([...connection.connections], chainAccount?.proxiesJson()),
      ...(chainAccount ? { wallet: chainAccount.walletJson() } : {}),
    }),
    metrics: stats.metrics.metrics, metricsRequireToken: config.metrics_require_token,
    controls: {
      enable: async () => { availability.operatorEnabled = true; announce(); return { enabled: availability.engineHealthy }; },
      disable: async () => { availability.operatorEnabled = false; announce(); return { enabled: false }; },
      // §8.2 change_coefficient?coefficient=<integer, 1000 = 1.0×>: advertised now and on every later handshake.
      change_coefficient: async (query: URLSearchParams) => {
        const text = query.get('coefficient') ?? '';
        const coefficient = /^\d{1,9}$/.test(text) ? Number(text) : NaN;
        if (!(coefficient < 1_000_000_000)) throw new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', 'coefficient: expected an integer 0..999999999 (1000 = 1.0x)', { param: 'coefficient' });
        const previous = config.coefficient;
        config.coefficient = coefficient;
        connection.changeCoefficient(coefficient);
        return { coefficient, previous };
      },
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
  const { config, deps, logger, chainAccount, attestation, engine, availability, connection, announce, e2e } = context;
  chainAccount?.start(); // its stop is already on the stack
  attestation.start();
  stack.defer(() => attestation.stop(), 'attestation');
  if (e2e) {
    e2e.start();
    stack.defer(() => e2e.stop(), 'e2e key rotation');
  }
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

/**
 * On chain: fetches the request-encryption keys from the key manager the root names (attested, image hash =
 * key_manager_image_hash, verified under proxy_policy like the proxy), every 60–120 s once it has them. Like the
 * reference worker it only holds them: a request's private key comes from the proxy (`proxy.runQueryEx.private_key`).
 */
export async function startKeyManagerClientStep(context: AfterServing, stack: CleanupStack): Promise<{ keyRing: EncryptionKeyRing; client: KeyManagerClient } | undefined> {
  const { config, logger, chainAccount, attestation, networkIsTest } = context;
  if (!chainAccount) return undefined;
  const watcher = await chainAccount.rootWatcher();
  const keyRing = new EncryptionKeyRing();
  const client = new KeyManagerClient({
    role: 'worker', protoVersion: 0, // the reference sends 0
    locate: () => {
      const named = watcher.current.keyManager;
      return named && named.address !== '' ? { address: named.address, imageHash: named.imageHash } : undefined;
    },
    identity: attestation.certificate, verifier: attestation.verifier({ policy: config.proxy_policy, networkIsTest }),
    keyRing, logger: logger.child('key-manager'), maxPowDifficulty: config.max_pow_difficulty,
  });
  client.start();
  stack.defer(() => client.close(), 'key manager client');
  return { keyRing, client };
}
