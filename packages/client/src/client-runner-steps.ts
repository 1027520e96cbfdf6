/**
 * The client runner's start-up steps, in order: the client chain (on chain only, loaded lazily),
 * the attestation and the proxy verifier, the proxy connections and the gateway, the HTTP server
 * (with the e2e parts in front of the gateway and the receipt store, §22: ./e2e/e2e-runner-setup.ts),
 * then connecting to the proxy. Each step takes the context built so far and the runner's one
 * `CleanupStack`, and pushes how to release what it opened: a failed step unwinds exactly what
 * the earlier ones opened, and close() unwinds everything, newest first — the HTTP server drains
 * before the proxy connections close (answers in flight still need them), the chain last.
 */
import { DEV_NETWORK_PARAMS, StaticNetworkParamsSource, loadOrCreateAdminToken } from '@cocoon/protocol';
import type { CleanupStack, Logger, NetworkParamsSource } from '@cocoon/protocol';
import { RootHashPolicy, RunnerAttestation, type PeerVerifier } from '@cocoon/attestation';
import type { ClientConfig } from './config/index.ts';
import { ReceiverKeyPolicy, TelegramInitDataGate, configuredEncryptionKeys, configuredReceiverKeys, readTelegramBotTokenFile, rootEncryptionKeys, startClientHttpServer } from './http/index.ts';
import { ClientProxyConnection } from './connection/client-proxy-connection.ts';
import { clientProxyTargets, splitProxyAddress } from './connection/client-proxy-targets.ts';
import { ProtocolInferenceGateway } from './gateway/protocol-inference-gateway.ts';
import { e2eExtraRoutes, handleAuditRoute } from './e2e/index.ts';
import { openE2eSetup } from './e2e/e2e-runner-setup.ts';
import type { ClientStats } from './client-stats.ts';
import type { ClientChain } from './chain/index.ts';
import type { ClientRunnerDeps } from './client-runner.ts';

/** What every step sees: the config, the injected parts, and the stats counters. */
export interface ClientStartContext {
  config: ClientConfig;
  deps: ClientRunnerDeps;
  logger: Logger;
  now: () => number;
  stats: ClientStats;
}

export interface ClientAttestationState {
  attestation: RunnerAttestation;
  proxyVerifier: PeerVerifier;
  /** §7.3: on chain with policy tdx, the root's proxy_hashes the proxy's image must be in. */
  proxyHashes: RootHashPolicy | undefined;
}

export interface ClientConnectionsState {
  connections: ClientProxyConnection[];
  params: NetworkParamsSource;
  gateway: ProtocolInferenceGateway;
}

/** The HTTP server as the runner needs it. */
export interface ClientHttpListener {
  url: string;
  port: number;
}

type AfterChain = ClientStartContext & { clientChain: ClientChain | undefined };
type AfterAttestation = AfterChain & ClientAttestationState;
type AfterConnections = AfterAttestation & ClientConnectionsState;

/** On chain only (`ton_endpoint`, or an injected chain), loaded then, so off-chain runs never touch the TON stack; closed on unwind. */
export async function openChainStep(context: ClientStartContext, stack: CleanupStack): Promise<{ clientChain: ClientChain | undefined }> {
  const { config, deps, logger, now } = context;
  if (config.ton_endpoint === '' && !deps.chain) return { clientChain: undefined };
  const { openClientChain } = await import('./chain/client-chain-setup.ts');
  const clientChain = await openClientChain(config, { logger, now, ...(deps.chain ? { chain: deps.chain } : {}) });
  stack.defer(() => clientChain.close(), 'client chain');
  return { clientChain };
}

/**
 * Clients are not TEEs: a plain self-signed Ed25519 certificate, as the reference client presents. But unlike
 * third-party reference clients, this one verifies the proxy (§7.3): under policy tdx its quote, and on chain
 * that its image is in the root contract's proxy_hashes. (Nothing to release.)
 */
export async function openAttestationStep(context: AfterChain): Promise<ClientAttestationState> {
  const { config, logger, now, clientChain } = context;
  const proxyHashes = clientChain && config.proxy_policy === 'tdx' ? new RootHashPolicy(() => clientChain.root) : undefined;
  const attestation = await RunnerAttestation.open({
    role: 'client', tee: 'none', devAuthorityDir: config.attestation_dev_authority_dir, pccsUrl: config.attestation_pccs_url,
    collateralDir: config.attestation_collateral_dir, logger: logger.child('attestation'), now: () => new Date(now()),
  });
  const proxyVerifier = attestation.verifier({
    policy: config.proxy_policy, expectedRole: 'proxy', hashes: proxyHashes, networkIsTest: clientChain ? clientChain.root.params.isTest : true,
  });
  return { attestation, proxyVerifier, proxyHashes };
}

/**
 * The proxy connections (they dial only once started) and the gateway over them. Their close is pushed
 * here, before the HTTP server's, so that close() drains the server first.
 */
export function buildConnectionsStep(context: AfterAttestation, stack: CleanupStack): ClientConnectionsState {
  const { config, logger, now, stats, clientChain, attestation, proxyVerifier } = context;
  // §1.2: proxy_address, proxy_addresses or (on chain, discover_proxies) the root's registered proxies; proxy_connections to each.
  const targets = clientProxyTargets(config, clientChain?.registeredProxyClientAddresses());
  const connections = targets.flatMap((target) => Array.from({ length: config.proxy_connections }, () => new ClientProxyConnection({
    ...splitProxyAddress(target),
    identity: attestation.certificate,
    verifier: proxyVerifier,
    maxPowDifficulty: config.max_pow_difficulty,
    ownerAddress: clientChain?.ownerAddressText ?? config.owner_address, secretString: config.secret_string, isTest: config.is_test, logger,
    ...(clientChain ? { chain: clientChain } : {}),
  })));
  stack.defer(() => { for (const connection of connections) connection.close(); }, 'proxy connections');
  // §5: costs at the root's current price on chain; off chain at the dev price.
  const params = clientChain ? clientChain.networkParams : new StaticNetworkParamsSource(DEV_NETWORK_PARAMS);
  const gateway = new ProtocolInferenceGateway({
    connections, params, stats, now,
    onFailover: (event) => logger.warn('request failed over to another proxy before any answer', { from: event.from, to: event.to, reason: event.reason }),
  });
  if (targets.length > 1) logger.info('several proxies', { proxies: targets, connections_each: config.proxy_connections });
  return { connections, params, gateway };
}

/** The OpenAI-compatible HTTP API with `/stats`, `/jsonstats` and, on chain, `/request/*` (10000); drained on unwind. */
export async function startHttpStep(context: AfterConnections, stack: CleanupStack): Promise<ClientHttpListener> {
  const { config, now, stats, clientChain, attestation, proxyHashes, connections, gateway, params } = context;
  const { handleClientChainRequest } = clientChain ? await import('./chain/client-chain-routes.ts') : { handleClientChainRequest: undefined };
  stats.metrics.attach({
    proxyConnections: () => ({ ready: connections.filter((connection) => connection.isReady).length, configured: connections.length }),
    ...(clientChain ? { chainSyncAgeSeconds: () => Math.max(0, Date.now() / 1000 - (clientChain.json().root.last_synced_at as number | null ?? NaN)) } : {}),
  });
  // §22: runner-sealing in front of the protocol gateway, the blind relay, the receipt store and its audit.
  const encryptionKeys = clientChain
    ? rootEncryptionKeys(() => clientChain.root)
    : configuredEncryptionKeys({ isTest: config.is_test, keys: config.encryption_public_keys });
  const telegramInitData = config.telegram_bot_token_file ? telegramInitDataGate(config, now) : undefined; // a bad token file fails the start
  if (telegramInitData) context.logger.info('Telegram init data required on inference and e2e requests', { per_user_per_minute: config.telegram_user_requests_per_minute, max_age_seconds: config.telegram_init_data_max_age_seconds });
  const e2eSetup = await openE2eSetup({ config, logger: context.logger, now, stats, attestation, clientChain, gateway, params, encryptionKeys }, stack);
  const server = await startClientHttpServer({
    host: config.http_host, port: config.http_port, gateway: e2eSetup.gateway, now,
    maxBodyBytes: config.max_body_bytes,
    shutdownDrainMs: config.shutdown_drain_ms,
    accessHash: config.http_access_hash || undefined,
    adminToken: loadOrCreateAdminToken(config.admin_token_file), corsOrigins: config.http_cors_origins, allowedHosts: config.http_allowed_hosts,
    metrics: stats.metrics.metrics, metricsRequireToken: config.metrics_require_token,
    requestRoutes: async (request, response, url) => handleAuditRoute(e2eSetup.e2e, request, response, url)
      || (clientChain && handleClientChainRequest ? handleClientChainRequest(clientChain, request, response, url) : false),
    extraRoutes: e2eExtraRoutes(e2eSetup.e2e, { collateralFor: e2eSetup.collateralFor, sevSnpChainFor: e2eSetup.sevSnpChainFor }),
    ...(config.app_dir ? { appDir: config.app_dir } : {}), // the light-client page at /app/
    ...(telegramInitData ? { telegramInitData } : {}), // a Mini App's users only
    defaults: { maxCoefficient: config.default_max_coefficient, maxTokens: config.default_max_tokens, timeoutSeconds: config.default_timeout_seconds },
    // §20: on chain the root's registered encryption keys, off chain the configured ones (any on a test network).
    receiverKeys: new ReceiverKeyPolicy(clientChain
      ? { isTest: () => clientChain.root.params.isTest, isRegistered: (hex, nowSeconds) => clientChain.isRegisteredEncryptionKey(hex, nowSeconds) }
      : configuredReceiverKeys({ isTest: config.is_test, keys: config.encryption_public_keys }), now),
    // GET /v1/encryption/keys: the same keys, listed for apps (newest expiry first).
    encryptionKeys,
    stats: {
      jsonStats: () => {
        const onChain = clientChain?.json();
        return {
          status: { enabled: true, ton_last_synced_at: onChain?.tonLastSyncedAt ?? null, wallet_balance: onChain?.wallet.balance ?? null },
          stats: stats.json(),
          e2e: e2eSetup.json(),
          prices: { price_per_token: params.current().pricePerToken, worker_fee_per_token: params.current().workerFeePerToken }, // what used tokens cost (dashboard)
          ...(onChain ? { wallet: onChain.wallet } : {}),
          localconf: {
            owner_address: config.owner_address, check_proxy_hash: proxyHashes !== undefined, proxy_policy: config.proxy_policy, attestation_trust: attestation.trustName,
            ...(onChain ? { root_address: config.root_contract_address } : {}),
          },
          proxy_connections: connections.map((connection) => ({ address: connection.address, is_ready: connection.isReady, proxy_sc_address: connection.proxyContractAddress })),
          proxies: onChain?.proxies ?? connections.map((connection) => ({
            proxy_sc_address: connection.proxyContractAddress, sc_address: connection.clientContractAddress,
            tokens_used_proxy_committed_to_db: connection.tokensUsedProxyCommittedToDb, tokens_used_proxy_max: connection.tokensUsedProxyMax,
          })),
        };
      },
    },
  });
  return stack.push(server, () => server.close(), 'http server'); // drains first: answers in flight still need the proxy connections
}

/** The Mini App door of `telegram_bot_token_file` (the token is read here, once, and never logged). */
function telegramInitDataGate(config: ClientConfig, now: () => number): TelegramInitDataGate {
  return new TelegramInitDataGate({
    botToken: readTelegramBotTokenFile(config.telegram_bot_token_file), now,
    maxAgeSeconds: config.telegram_init_data_max_age_seconds, userRequestsPerMinute: config.telegram_user_requests_per_minute,
  });
}

/** Once the HTTP port is ours: dials the proxy (every connection) and, unless told not to, waits for the first to be ready. */
export async function connectStep(context: AfterConnections): Promise<void> {
  const { deps, connections } = context;
  for (const connection of connections) connection.start(); // their close is already on the stack
  if (deps.waitForProxy ?? true) await Promise.race(connections.map((connection) => connection.whenReady()));
}

/** The `{"event":"ready",…}` fields. */
export function buildReadyInfo(server: ClientHttpListener): Record<string, unknown> {
  return { url: `${server.url}/v1`, http_port: server.port };
}
