/**
 * The key manager runner's start-up steps, in order: the machine key and the chain, the safety
 * checks against the root (is_test, check_hashes, add_default_key), the attestation, the key
 * store and schedule (a key exists before the port opens), the RPC port, the stats server (with
 * `/metrics`: key requests and publications counted where they happen, views over the keys), and
 * the schedule's timer. Each step pushes how to release what it opened on the runner's one
 * `CleanupStack`; close() unwinds newest first (timer, stats, RPC port, store, chain).
 */
import { CocoonError, createKeyManagerMetrics, loadOrCreateAdminToken, startStatsHttpServer, toCocoonError } from '@cocoon/protocol';
import type { CleanupStack, KeyManagerMetrics, Logger, StatsHttpServer } from '@cocoon/protocol';
import { RunnerAttestation } from '@cocoon/attestation';
import { loadOrCreateKeyPair } from '@cocoon/ton';
import type { KeyPair } from '@ton/crypto';
import type { KeyManagerConfig } from './config/index.ts';
import { openKeyManagerChain, type KeyManagerChain } from './chain/key-manager-chain.ts';
import { debugKey, describeKey, keyLogFields, type ManagedKey } from './keys/managed-key.ts';
import { SignedKeyStore } from './keys/signed-key-store.ts';
import { KeyRotation } from './keys/key-rotation.ts';
import { KeyPublicationQueue, type PublicKeyPublisher } from './publishing/public-key-publisher.ts';
import { RootPublicKeyPublisher } from './publishing/root-public-key-publisher.ts';
import { PrivateKeyService } from './serving/private-key-service.ts';
import { listenForKeyRequests, type KeyManagerListener } from './serving/key-manager-listener.ts';
import type { KeyManagerRunnerDeps } from './key-manager-runner.ts';

export interface KeyManagerStartContext {
  config: KeyManagerConfig;
  deps: KeyManagerRunnerDeps;
  logger: Logger;
  now: () => number;
}

export interface KeyManagerChainState {
  machineKey: KeyPair;
  onChain: KeyManagerChain | undefined;
  networkIsTest: boolean;
}

export interface KeyManagerKeysState {
  store: SignedKeyStore;
  rotation: KeyRotation;
  publications: KeyPublicationQueue | undefined;
  service: PrivateKeyService;
  metrics: KeyManagerMetrics;
}

type AfterChain = KeyManagerStartContext & KeyManagerChainState;
type AfterAttestation = AfterChain & { attestation: RunnerAttestation };
type AfterKeys = AfterAttestation & KeyManagerKeysState;

/** The machine key (created on first start) and, on chain, the chain, root watcher and wallet. */
export async function openChainStep(context: KeyManagerStartContext, stack: CleanupStack): Promise<KeyManagerChainState> {
  const { config, deps, logger, now } = context;
  const machineKey = loadOrCreateKeyPair(config.machine_key_file);
  const onChain = await openKeyManagerChain(config, logger, { chain: deps.chain, now, fundingRetryMs: deps.fundingRetryMs });
  if (onChain) stack.defer(() => onChain.close(), 'chain');
  return { machineKey, onChain, networkIsTest: onChain ? onChain.root().isTest : true };
}

/**
 * Refuses what runtime config may not do on a production root: check_hashes off, the debug key,
 * an is_test that disagrees with the root's; warns when the root names another key manager.
 */
export function checkRootStep(context: AfterChain): void {
  const { config, logger, onChain, networkIsTest, machineKey } = context;
  const refuse = (param: string, message: string) => new CocoonError('CCN_ERR_CONFIG_INVALID', message, { param });
  if (config.is_test !== networkIsTest) {
    throw refuse('is_test', `is_test is ${config.is_test} but the root contract says is_test=${networkIsTest}`);
  }
  if (config.add_default_key && !networkIsTest) {
    throw refuse('add_default_key', 'add_default_key is refused: the root contract is not is_test (the debug key\'s private half is public)');
  }
  if (!config.check_hashes && !networkIsTest) {
    throw refuse('check_hashes', 'check_hashes false is refused: the root contract is not is_test');
  }
  if (config.check_hashes && !onChain) {
    throw refuse('check_hashes', 'check_hashes needs the root contract\'s hash lists: set ton_endpoint and root_contract_address, or check_hashes false on a dev network');
  }
  if (config.add_default_key) logger.warn('DEBUG KEY: serving the reference\'s published debug key (test network only)');
  if (!config.check_hashes) logger.warn('check_hashes is off: any attested peer gets the private keys (test network only)');
  const named = onChain?.root().keyManager;
  const ownKey = machineKey.publicKey.toString('hex');
  if (onChain && named?.publicKey.toLowerCase() !== ownKey) {
    logger.warn('the root contract names another key manager key: publications will be refused until root_change_key_manager names this one', {
      this_machine: ownKey, named_on_root: named?.publicKey ?? null,
    });
  }
}

/** The key manager's TEE identity (the certificate refresh starts with the timer). */
export async function openAttestationStep(context: AfterChain): Promise<{ attestation: RunnerAttestation }> {
  const { config, logger, now, onChain } = context;
  const attestation = await RunnerAttestation.open({
    role: 'key_manager', tee: config.tee, devAuthorityDir: config.attestation_dev_authority_dir, pccsUrl: config.attestation_pccs_url,
    collateralDir: config.attestation_collateral_dir, logger: logger.child('attestation'),
    now: async () => (onChain ? new Date((await onChain.chain.now()) * 1000) : new Date(now())),
  });
  const named = onChain?.root().keyManager;
  if (named && named.imageHash.toLowerCase() !== attestation.imageHash.toString('hex')) {
    logger.warn('this key manager\'s image hash is not the root\'s key_manager_image_hash: proxies and workers will refuse it', {
      image_hash: attestation.imageHash.toString('hex'), image_hash_named_on_root: named.imageHash,
    });
  }
  return { attestation };
}

/** The store (tampered records refused and reported), the schedule with its first tick, publication, the service. */
export async function openKeysStep(context: AfterAttestation, stack: CleanupStack): Promise<KeyManagerKeysState> {
  const { config, deps, logger, now, onChain, machineKey } = context;
  const store: SignedKeyStore = await SignedKeyStore.open({ path: config.db_path, machineKey });
  stack.defer(() => store.close(), 'key store');
  for (const refused of store.refused) {
    logger.error('key store record refused: it is not served', { record: refused.recordKey, reason: refused.reason });
  }
  const publisher: PublicKeyPublisher | undefined = deps.publisher ?? (onChain ? new RootPublicKeyPublisher({
    wallet: onChain.wallet, rootAddress: onChain.rootAddress, machineKey, registered: () => onChain.root().registeredPublicKeys,
  }) : undefined);
  if (!publisher) logger.warn('off chain: new public keys are not published on a root');
  const metrics = createKeyManagerMetrics();
  const publications = publisher ? new KeyPublicationQueue({
    publisher, logger: logger.child('publish'), now, onPublication: (result) => metrics.recordKeyPublication(result),
  }) : undefined;
  const configVersion = () => onChain?.root().version ?? 0;
  const rotation = new KeyRotation({
    store, now, configVersion, ...(deps.random ? { random: deps.random } : {}),
    extraKeys: config.add_default_key ? [debugKey(Math.floor(now() / 1000), configVersion())] : [],
    onMinted: (key) => {
      logger.info('new key minted', keyLogFields(key));
      publications?.add(key);
    },
  });
  for (const key of rotation.validKeys()) publications?.add(key); // the queue drops what the root already lists
  await rotation.tick();
  await publications?.run();
  const service = new PrivateKeyService({
    keys: () => rotation.validKeys(), hashes: config.check_hashes && onChain ? () => onChain.root() : undefined,
    onRequest: (peerRole, result) => metrics.recordKeyRequest(peerRole, result),
  });
  return { store, rotation, publications, service, metrics };
}

/** The RPC port proxies and workers fetch keys on. */
export async function listenStep(context: AfterKeys, stack: CleanupStack): Promise<KeyManagerListener> {
  const { config, logger, networkIsTest, attestation, service } = context;
  const listener = await listenForKeyRequests({
    host: config.host, port: config.rpc_port, identity: attestation.certificate, powDifficulty: config.pow_difficulty,
    verifier: attestation.verifier({ policy: config.peer_policy, networkIsTest }), service, logger: logger.child('rpc'),
  });
  return stack.push(listener, () => listener.close(), 'rpc listener');
}

/** `/stats`, `/jsonstats`, `/metrics`, and POST `/request/generatekey?type=N`, `/request/removekey?key=HEX` behind the admin token. */
export async function startStatsStep(context: AfterKeys, stack: CleanupStack): Promise<StatsHttpServer> {
  const { config, logger, now, rotation, publications, metrics, attestation, onChain } = context;
  metrics.attach({
    validKeys: () => rotation.validKeys().length,
    nextKeyExpirySeconds: () => {
      const keys = rotation.validKeys();
      return keys.length === 0 ? undefined : Math.max(0, Math.min(...keys.map((key) => key.validUntil)) - now() / 1000);
    },
    certificateRefreshes: () => attestation.certificate.generation - 1,
    ...(onChain ? { chainSyncAgeSeconds: () => Math.max(0, (now() - onChain.watcher.lastSyncedAt) / 1000) } : {}),
  });
  const statsServer = await startStatsHttpServer({
    host: config.host, port: config.http_port, title: 'COCOON key manager', accessHash: config.http_access_hash || undefined,
    adminToken: loadOrCreateAdminToken(config.admin_token_file), corsOrigins: config.http_cors_origins, allowedHosts: config.http_allowed_hosts,
    jsonStats: () => keyManagerStats(context),
    metrics: metrics.metrics, metricsRequireToken: config.metrics_require_token,
    controls: {
      generatekey: async (query) => {
        const text = query.get('type') ?? '1';
        if (!/^\d{1,3}$/.test(text)) throw new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', 'type must be an integer 0–255', { param: 'type' });
        const key = await rotation.generate(Number(text));
        await publications?.run();
        return { generated: describeKey(key) };
      },
      removekey: async (query) => {
        const hex = (query.get('key') ?? '').toLowerCase();
        if (!/^[0-9a-f]{64}$/.test(hex)) throw new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', 'key must be a 32-byte public key in hex (64 characters)', { param: 'key' });
        const removed = await rotation.remove(Buffer.from(hex, 'hex'));
        publications?.forget(Buffer.from(hex, 'hex'));
        if (removed) logger.warn('key removed by the operator: no longer served; a key already on the root stays listed until it expires', { public: hex });
        return { removed };
      },
    },
  });
  return stack.push(statsServer, () => statsServer.close(), 'stats server');
}

/** The certificate refresh and the schedule's timer (mint, prune, publish). */
export function startScheduleStep(context: AfterKeys, stack: CleanupStack): void {
  const { deps, logger, attestation, rotation, publications } = context;
  attestation.start();
  stack.defer(() => attestation.stop(), 'attestation');
  const timers = deps.timers ?? { setInterval, clearInterval };
  const timer = timers.setInterval(() => {
    void rotation.tick().then(() => publications?.run()).catch((error: unknown) => {
      logger.error('key schedule tick failed; will retry', { error: toCocoonError(error).message });
    });
  }, deps.tickIntervalMs ?? 5000);
  (timer as { unref?: () => void }).unref?.();
  stack.defer(() => timers.clearInterval(timer), 'key schedule');
}

function keyManagerStats(context: AfterKeys): Record<string, unknown> {
  const { config, onChain, attestation, machineKey, store, rotation, publications, service } = context;
  const root = onChain?.root();
  const waiting = new Set(publications?.waiting ?? []);
  return {
    status: {
      image_hash: attestation.imageHash.toString('hex'), tee: attestation.tee, trust: attestation.trustName,
      ton_last_synced_at: onChain ? Math.floor(onChain.watcher.lastSyncedAt / 1000) : null,
    },
    localconfig: {
      root_address: config.root_contract_address, owner_address: config.owner_address, check_hashes: config.check_hashes,
      add_default_key: config.add_default_key, public_key: machineKey.publicKey.toString('hex'), is_test: config.is_test,
    },
    keys: rotation.validKeys().map((key: ManagedKey) => ({ ...describeKey(key), publication_pending: waiting.has(key.publicKey.toString('hex')) })),
    key_store: { refused_records: store.refused.map((record) => ({ record: record.recordKey, reason: record.reason })) },
    requests: { ...service.counters },
    publication: publications ? { published: publications.published, failures: publications.failures, waiting: [...waiting] } : null,
    root: root ? {
      version: root.version, is_test: root.isTest, registered_public_keys: root.registeredPublicKeys.size,
      key_manager: root.keyManager ?? null,
      names_this_key_manager: root.keyManager?.publicKey.toLowerCase() === machineKey.publicKey.toString('hex'),
    } : null,
    ...(onChain ? { wallet: { address: onChain.wallet.friendlyAddress() } } : {}),
  };
}
