/**
 * The proxy runner's start-up steps, in order: the chain and the ledger, the attestation, the
 * routing state (identity, registry, accounting, client directory), the worker and client
 * listeners, the stats server, the certificate refresh. Each step takes the context built so far
 * and the runner's one `CleanupStack`, and pushes how to release what it opened: a failed step
 * unwinds exactly what the earlier ones opened, and close() unwinds everything, newest first
 * (attestation, stats, listeners, sessions, chain, ledger).
 */
import { CocoonError, CocoonSession, DEV_NETWORK_PARAMS, EncryptionKeyRing, StaticNetworkParamsSource, loadOrCreateAdminToken, startStatsHttpServer } from '@cocoon/protocol';
import type { CleanupStack, Logger, NetworkParamsSource, StatsHttpServer } from '@cocoon/protocol';
import { KeyManagerClient, RootHashPolicy, RunnerAttestation, listenSecure } from '@cocoon/attestation';
import type { PeerAttestation, PeerVerifier, SecureServer } from '@cocoon/attestation';
import { sameAddress } from '@cocoon/ton';
import type { ProxyConfig } from './config/index.ts';
import { marketSettingsOfConfig } from './config/index.ts';
import { RetryPolicy, WorkerRegistry } from './routing/index.ts';
import { ClientAccountRegistry, CompletionAccounting, ConfiguredClientStateSource } from './billing/index.ts';
import { InMemoryLedger } from './ledger/index.ts';
import type { Ledger } from './ledger/index.ts';
import { ProxyWorkerConnection } from './connections/proxy-worker-connection.ts';
import { ProxyClientConnection } from './connections/proxy-client-connection.ts';
import { changeWorkerModelControl } from './connections/worker-model-change-control.ts';
import type { ClientDirectory } from './connections/proxy-client-connection.ts';
import type { ProxyIdentity } from './connections/proxy-params.ts';
import { OffChainLink, type ProxyChainLink } from './connections/proxy-chain-link.ts';
import { setupProxyChain, type ProxyChainSetup } from './settlement/proxy-chain-setup.ts';
import { withdrawProxyEarnings } from './settlement/proxy-earnings-withdrawal.ts';
import { GatedWorkerRegistry } from './settlement/admission-gate.ts';
import type { ProxyAccounting, ProxyRequestContext, WorkerLink } from './requests/proxy-request-context.ts';
import { ProxyStats } from './proxy-stats.ts';
import { e2eConnectionStats } from './e2e/list-e2e-workers.ts';
import { proxyMetricsParts } from './proxy-metrics-parts.ts';
import { UnauthenticatedConnectionGate, type AuthorizationWatch } from './connections/unauthenticated-connection-gate.ts';
import type { ProxyRunnerDeps } from './proxy-runner.ts';

/** What every step sees: the config, the injected parts, and the client book the later steps fill. */
export interface ProxyStartContext {
  config: ProxyConfig;
  deps: ProxyRunnerDeps;
  logger: Logger;
  now: () => number;
  /** The client accounts (replaced on a params migration); set by the routing step. */
  book: { accounts: ClientAccountRegistry | undefined };
}

export interface ProxyChainState {
  onChain: ProxyChainSetup | undefined;
  ledger: Ledger;
  networkParams: NetworkParamsSource;
}

export interface ProxyAttestationState {
  attestation: RunnerAttestation;
  verifiers: Record<'worker' | 'client', PeerVerifier>;
  /** §7.3: the root's hashes the workers' images and models must be in (policy tdx on chain). */
  workerHashes: RootHashPolicy | undefined;
}

export interface ProxyRoutingState {
  proxyIdentity: ProxyIdentity;
  firstPublicKey: Buffer;
  chainLink: ProxyChainLink;
  registry: WorkerRegistry;
  workerLinks: Map<string, WorkerLink>;
  stats: ProxyStats;
  requestContext: ProxyRequestContext;
  clients: ClientDirectory;
  sessions: Set<CocoonSession>;
}

export interface ProxyListeners {
  workerServer: SecureServer;
  clientServer: SecureServer;
}

type AfterChain = ProxyStartContext & ProxyChainState;
type AfterAttestation = AfterChain & ProxyAttestationState;
type AfterRouting = AfterAttestation & ProxyRoutingState;

/** The chain (on chain: wallet, ledger, settlement, root watcher) or the off-chain ledger; prices of the contracts served now. */
export async function openChainStep(context: ProxyStartContext, stack: CleanupStack): Promise<ProxyChainState> {
  const { config, deps, logger, now, book } = context;
  const inFlight = () => (book.accounts?.list() ?? []).reduce((sum, account) => sum + account.runningRequests, 0);
  const onChain = config.ton_endpoint !== '' || deps.chain
    ? await setupProxyChain(config, logger, { chain: deps.chain, ledger: deps.ledger, now, inFlight })
    : undefined;
  const ledger = onChain?.ledger ?? deps.ledger ?? new InMemoryLedger();
  stack.defer(() => ledger.close(), 'ledger'); // released last: the chain's close still flushes into it
  if (onChain) stack.defer(() => onChain.close(), 'chain');
  if (!onChain && !deps.ledger) logger.warn('off chain with the in-memory ledger: accounting does not survive a restart (set ton_endpoint and db_path)');
  // §5.2: on chain the price and fee of the contracts served now (the root's, once migrated to them);
  // off chain the dev params with the prices of the config (price_per_token, worker_fee_per_token).
  const networkParams: NetworkParamsSource = onChain?.networkParams
    ?? new StaticNetworkParamsSource({ ...DEV_NETWORK_PARAMS, pricePerToken: config.price_per_token, workerFeePerToken: config.worker_fee_per_token });
  return { onChain, ledger, networkParams };
}

/** The proxy's TEE identity and the verifiers of its two kinds of peers (nothing to release: the certificate refresh starts last). */
export async function openAttestationStep(context: AfterChain): Promise<ProxyAttestationState> {
  const { config, logger, now, onChain } = context;
  // §7.3: on chain, tdx peers must run images (and workers models) the root contract allows.
  const rootHashes = onChain ? new RootHashPolicy(() => onChain.watcher.current) : undefined;
  const workerHashes = config.worker_policy === 'tdx' ? rootHashes : undefined;
  const networkIsTest = onChain ? onChain.settlement.params.isTest : true; // off chain: a local network without money
  const attestation = await RunnerAttestation.open({
    role: 'proxy', tee: config.tee, devAuthorityDir: config.attestation_dev_authority_dir, pccsUrl: config.attestation_pccs_url,
    collateralDir: config.attestation_collateral_dir, logger: logger.child('attestation'), now: certificateClock(onChain, now, logger),
  });
  if (rootHashes && config.tee !== 'none' && config.tee !== 'fake_tdx') rootHashes.checkSelf('proxy', attestation.imageHash);
  const verifiers = {
    worker: attestation.verifier({ policy: config.worker_policy, networkIsTest, expectedRole: 'worker', hashes: workerHashes }),
    // Clients are not TEEs: no root dictionary lists them (§7.3), so their images are not hash-checked.
    client: attestation.verifier({ policy: config.client_policy, networkIsTest }),
  };
  return { attestation, verifiers, workerHashes };
}

/**
 * The proxy's identity, the worker registry, completion accounting, the client directory and the
 * open sessions (closed on unwind, after the listeners stop accepting); follows the chain's
 * params switches and client contract notifications.
 */
export function buildRoutingStep(context: AfterAttestation, stack: CleanupStack): ProxyRoutingState {
  const { config, deps, logger, now, book, onChain, ledger, networkParams, attestation } = context;
  const prices = () => networkParams.current();
  const firstPublicKey = attestation.certificate.current().publicKey;
  const proxyIdentity: ProxyIdentity = onChain
    ? {
      publicKey: onChain.proxyPublicKey,
      ownerAddress: config.owner_address,
      get contractAddress() { return onChain.settlement.proxyAddress.toString({ testOnly: onChain.settlement.params.isTest }); },
      isTest: config.is_test,
    }
    : {
      publicKey: firstPublicKey,
      ownerAddress: config.owner_address,
      contractAddress: `proxy:${config.owner_address}:${firstPublicKey.toString('hex').slice(0, 16)}`,
      isTest: config.is_test,
    };
  const chainLink = onChain?.link ?? new OffChainLink(proxyIdentity.contractAddress);

  const market = marketSettingsOfConfig(config);
  const registry = onChain ? new GatedWorkerRegistry({ now, market }, onChain.gate) : new WorkerRegistry({ now, market });
  const workerLinks = new Map<string, WorkerLink>();
  const stats = new ProxyStats(now);
  const completion = new CompletionAccounting({ ledger, prices, now });
  const accounting: ProxyAccounting = {
    async finish(request) {
      const entry = await completion.finish(request);
      stats.tokens(entry.tokens);
      const [client, worker] = await Promise.all([ledger.clientTotals(entry.clientOwner), ledger.workerTotals(entry.workerOwner)]);
      return { client, worker };
    },
  };
  const requestContext: ProxyRequestContext = {
    registry, workerLinks, accounting, logger, now, random: deps.random, configVersion: onChain?.settlement.configVersion ?? deps.configVersion ?? 0,
    retryPolicy: new RetryPolicy({ maxAttempts: config.max_attempts }),
    stats,
    keyRing: deps.encryptionKeys ?? new EncryptionKeyRing(),
  };

  const newAccounts = () => new ClientAccountRegistry({
    source: onChain?.clientStates ?? new ConfiguredClientStateSource(config.dev_clients.map((client) => ({
      ownerAddress: client.owner_address, balanceNanoton: client.balance_nanoton, stakeNanoton: client.stake_nanoton,
    }))),
    pricePerToken: () => prices().pricePerToken,
    restoreUsedTokens: async (owner) => (await ledger.clientTotals(owner)).tokensMax,
  });
  const secretHashes = new Map(config.dev_clients.map((client) => [client.owner_address, Buffer.from(client.secret_hash, 'hex')]));
  book.accounts = newAccounts();
  const accounts = () => book.accounts!;
  const clients: ClientDirectory = {
    async find(owner) {
      const secretHash = onChain ? await onChain.clientStates.secretHash(owner) : secretHashes.get(owner);
      return secretHash ? { secretHash, account: await accounts().open(owner) } : undefined;
    },
  };
  const sessions = new Set<CocoonSession>();
  stack.defer(() => { for (const session of sessions) session.close(); }, 'sessions');
  onChain?.watcher.onChange((next) => { requestContext.configVersion = next.version; });
  // §6.7: on new contracts every client/worker reconnects and client books restart from the new (empty) ledger.
  onChain?.instances.onSwitched(() => {
    book.accounts = newAccounts();
    for (const session of sessions) session.close(new CocoonError('CCN_ERR_TON_PARAMS_CHANGED', 'network parameters changed: reconnect to the new contracts'));
  });
  // Client contract notifications keep the account mirrors current (§6.5: the proxy learns balances only from chain).
  onChain?.instances.onClientState((owner, state) => {
    for (const account of accounts().list()) if (sameAddress(account.ownerAddress, owner)) accounts().updateState(account.ownerAddress, state);
  });
  return { proxyIdentity, firstPublicKey, chainLink, registry, workerLinks, stats, requestContext, clients, sessions };
}

/** The worker port (11001), then the client port (11002), each behind its own front door. */
export async function listenStep(context: AfterRouting, stack: CleanupStack): Promise<ProxyListeners> {
  const { config, deps, logger, ledger, registry, workerLinks, proxyIdentity, chainLink, workerHashes, clients, requestContext } = context;
  let connectionCounter = 0;
  const nextId = (kind: 'worker' | 'client') => `${kind}-${++connectionCounter}`;
  const workerServer = await listenFor(context, 'worker', config.worker_port, nextId, (session, id, authorization, peer) => {
    new ProxyWorkerConnection({
      id, session, identity: proxyIdentity, registry, workerLinks, ledger, chain: chainLink, logger, authorization,
      attestation: { policy: peer.policy, imageHash: peer.imageHash.toString('hex'), tcbStatus: peer.tcbStatus, tee: peer.tee ?? (peer.policy === 'tdx' ? 'tdx' : 'none') },
      ...(workerHashes ? { checkModel: (model: string) => workerHashes.checkModel(model) } : {}),
    });
  });
  stack.push(workerServer, () => workerServer.close(), 'worker listener');
  const clientServer = await listenFor(context, 'client', config.client_port, nextId, (session, id, authorization) => {
    new ProxyClientConnection({ id, session, identity: proxyIdentity, clients, registry, ledger, chain: chainLink, requestContext, logger, random: deps.random, authorization });
  });
  stack.push(clientServer, () => clientServer.close(), 'client listener');
  return { workerServer, clientServer };
}

/**
 * Accepts one kind of peer on its port behind its own front door (caps, authorization deadline,
 * small frames until authorized); each verified connection becomes a session handed to `attach`.
 */
function listenFor(
  context: AfterRouting, kind: 'worker' | 'client', port: number, nextId: (kind: 'worker' | 'client') => string,
  attach: (session: CocoonSession, id: string, authorization: AuthorizationWatch, peer: PeerAttestation) => void,
): Promise<SecureServer> {
  const { config, deps, logger, stats, sessions, attestation, verifiers } = context;
  const gate = new UnauthenticatedConnectionGate({
    maxPerAddress: config.max_unauthenticated_per_address, maxTotal: config.max_unauthenticated_connections,
    authTimeoutMs: config.auth_timeout_ms, unauthenticatedMaxFrameBytes: config.unauthenticated_max_frame_bytes,
    onExpired: (remote, inSession) => {
      if (inSession) stats.connectionRejected(); // during PoW/TLS, onRejected below counts it
      logger.warn(`${kind} connection closed: not authorized in time`, { remote, auth_timeout_ms: config.auth_timeout_ms });
    },
  });
  return listenSecure({
    host: config.host, port, identity: attestation.certificate, powDifficulty: config.pow_difficulty, verifier: verifiers[kind], admission: gate,
    onRejected: (error, remote) => {
      stats.connectionRejected();
      logger.warn(`${kind} connection rejected`, { remote, error: error.message });
    },
    onConnection: (socket, peer, pending) => {
      const session = new CocoonSession(socket, { role: 'listener', random: deps.random, maxFramePayloadBytes: config.unauthenticated_max_frame_bytes });
      sessions.add(session);
      session.on('close', () => sessions.delete(session));
      const id = nextId(kind);
      logger.debug('connection accepted', { connection: id, policy: peer.policy, image_hash: peer.imageHash.toString('hex') });
      const authorization = gate.guard(session, pending);
      if (session.isClosed) return; // its deadline passed during the TLS handshake
      attach(session, id, authorization, peer);
      session.open().catch(() => undefined); // failures close the session, which the connection handles
    },
  });
}

/** `/stats` + `/jsonstats` and the operator controls (11000). */
export async function startStatsStep(context: AfterRouting, stack: CleanupStack): Promise<StatsHttpServer> {
  const { config, book, onChain, ledger, networkParams, attestation, workerHashes, registry, stats } = context;
  stats.metrics.attach(proxyMetricsParts({ registry, book, ledger, attestation, onChain, now: context.now }));
  const statsServer = await startStatsHttpServer({
    host: config.host, port: config.http_port, title: 'COCOON proxy', role: 'proxy', accessHash: config.http_access_hash || undefined,
    adminToken: loadOrCreateAdminToken(config.admin_token_file), corsOrigins: config.http_cors_origins, allowedHosts: config.http_allowed_hosts,
    jsonStats: async () => stats.json({
      config, registry, accounts: book.accounts!, params: networkParams.current(), ledgerSummary: await ledger.summary(), chain: onChain && await chainStats(onChain),
      e2e: e2eConnectionStats(context.workerLinks),
      attestation: { tee: attestation.tee, image_hash: attestation.imageHash.toString('hex'), trust: attestation.trustName, hash_checks: workerHashes !== undefined },
    }),
    metrics: stats.metrics.metrics, metricsRequireToken: config.metrics_require_token,
    controls: {
      change_worker_model: changeWorkerModelControl(context.workerLinks),
      ...(onChain ? {
        settle: async () => ({ ...await onChain.settlement.settle() }),
        save_state: async () => ({ seqno: await onChain.settlement.saveState() }),
        withdraw: async () => withdrawProxyEarnings(onChain),
      } : {}),
    },
  });
  return stack.push(statsServer, () => statsServer.close(), 'stats server');
}

/** Starts refreshing the certificate (stopped first on unwind). */
export function startAttestationStep(context: AfterAttestation, stack: CleanupStack): void {
  const { attestation } = context;
  attestation.start();
  stack.defer(() => attestation.stop(), 'attestation');
}

/** The `{"event":"ready",…}` fields. */
export function buildReadyInfo(context: AfterRouting, listeners: ProxyListeners, statsServer: StatsHttpServer): Record<string, unknown> {
  return {
    worker_port: listeners.workerServer.port, client_port: listeners.clientServer.port, stats_url: statsServer.url, public_key: context.firstPublicKey.toString('hex'),
    image_hash: context.attestation.imageHash.toString('hex'),
  };
}

/** `/jsonstats` on chain: wallet, proxy contract and settlement state (§8.3). */
async function chainStats(onChain: ProxyChainSetup): Promise<Record<string, unknown>> {
  const { settlement, wallet, chain } = onChain;
  const contract = await chain.getAccount(settlement.proxyAddress);
  return {
    wallet: { address: wallet.friendlyAddress(), balance: (await wallet.balance()).toString() },
    smartcontract: { address: settlement.proxyAddress.toString({ testOnly: settlement.params.isTest }), params_version: settlement.params.paramsVersion, balance: contract.balance.toString() },
    save_state: await onChain.ledger.lastSaveStateSeqno(),
    root: onChain.instances.json(),
  };
}

/** The certificate clock (§7.2): the chain's time on chain (the host cannot back- or forward-date), else the local clock. */
function certificateClock(onChain: ProxyChainSetup | undefined, now: () => number, logger: Logger): () => Promise<Date> {
  return async () => {
    if (!onChain) return new Date(now());
    try {
      return new Date((await onChain.chain.now()) * 1000);
    } catch (error) {
      logger.warn('chain time unavailable; dating the certificate with the local clock', { error: String(error) });
      return new Date(now());
    }
  };
}

/**
 * On chain: fetches the request-encryption keys from the key manager the root names (attested, image hash =
 * key_manager_image_hash, verified under worker_policy like every TEE peer) into `requestContext.keyRing`,
 * every 5–10 s as the reference proxy; stopped on unwind. Off chain there is no key manager.
 */
export function startKeyManagerClientStep(context: AfterRouting, stack: CleanupStack): KeyManagerClient | undefined {
  const { config, logger, onChain, attestation, requestContext } = context;
  if (!onChain || !requestContext.keyRing) return undefined;
  const networkIsTest = onChain.settlement.params.isTest;
  const client = new KeyManagerClient({
    role: 'proxy', protoVersion: 0, // the reference sends 0
    locate: () => {
      const named = onChain.watcher.current.keyManager;
      return named && named.address !== '' ? { address: named.address, imageHash: named.imageHash } : undefined;
    },
    identity: attestation.certificate, verifier: attestation.verifier({ policy: config.worker_policy, networkIsTest }),
    keyRing: requestContext.keyRing, logger: logger.child('key-manager'),
  });
  client.start();
  stack.defer(() => client.close(), 'key manager client');
  return client;
}
