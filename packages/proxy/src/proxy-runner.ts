/**
 * The proxy runner: accepts workers (port 11001) and clients (port 11002) over PoW +
 * attested TLS 1.3, authenticates clients, routes their requests to workers, relays the
 * answers, accounts completions in the ledger, and serves `/stats` + `/jsonstats` (11000).
 */
import { CocoonError, CocoonSession, createLogger, startStatsHttpServer } from '@cocoon/protocol';
import type { RunnerHandle, Logger } from '@cocoon/protocol';
import { RootHashPolicy, RunnerAttestation, listenSecure } from '@cocoon/attestation';
import type { PeerVerifier } from '@cocoon/attestation';
import type { ProxyConfig } from './config/index.ts';
import { RetryPolicy, WorkerRegistry } from './routing/index.ts';
import { ClientAccountRegistry, CompletionAccounting, ConfiguredClientStateSource } from './billing/index.ts';
import { InMemoryLedger } from './ledger/index.ts';
import type { Ledger } from './ledger/index.ts';
import { ProxyWorkerConnection } from './connections/proxy-worker-connection.ts';
import { ProxyClientConnection } from './connections/proxy-client-connection.ts';
import type { ClientDirectory } from './connections/proxy-client-connection.ts';
import type { ProxyIdentity } from './connections/proxy-params.ts';
import { OffChainLink } from './connections/proxy-chain-link.ts';
import { sameAddress, type Chain } from '@cocoon/ton';
import { setupProxyChain, type ProxyChainSetup } from './settlement/proxy-chain-setup.ts';
import { GatedWorkerRegistry } from './settlement/admission-gate.ts';
import type { ProxyAccounting, ProxyRequestContext, WorkerLink } from './requests/proxy-request-context.ts';
import { ProxyStats } from './proxy-stats.ts';

export interface ProxyRunnerDeps {
  ledger?: Ledger;
  /** On chain (config ton_endpoint): use this chain instead of a toncenter client (tests). */
  chain?: Chain;
  logger?: Logger;
  now?: () => number;
  random?: (bytes: number) => Buffer;
  /** Root contract config version the proxy serves (stands in for the chain until TON lands; 0). */
  configVersion?: number;
}


export async function startProxyRunner(config: ProxyConfig, deps: ProxyRunnerDeps = {}): Promise<RunnerHandle> {
  const logger = deps.logger ?? createLogger('proxy');
  const now = deps.now ?? Date.now;
  const onChain: ProxyChainSetup | undefined = config.ton_endpoint !== '' || deps.chain
    ? await setupProxyChain(config, logger, { chain: deps.chain, ledger: deps.ledger, now, inFlight: () => accounts.list().reduce((sum, account) => sum + account.runningRequests, 0) })
    : undefined;
  const ledger = onChain?.ledger ?? deps.ledger ?? new InMemoryLedger();
  if (!onChain && !deps.ledger) logger.warn('off chain with the in-memory ledger: accounting does not survive a restart (set ton_endpoint and db_path)');
  const prices = () => onChain
    ? { pricePerToken: onChain.settlement.params.pricePerToken, workerFeePerToken: onChain.settlement.params.workerFeePerToken }
    : { pricePerToken: config.price_per_token, workerFeePerToken: config.worker_fee_per_token };

  // §7.3: on chain, tdx peers must run images (and workers models) the root contract allows.
  const rootHashes = onChain ? new RootHashPolicy(() => onChain.watcher.current) : undefined;
  const workerHashes = config.worker_policy === 'tdx' ? rootHashes : undefined;
  const networkIsTest = onChain ? onChain.settlement.params.isTest : true; // off chain: a local network without money
  let attestation: RunnerAttestation;
  let verifiers: Record<'worker' | 'client', PeerVerifier>;
  try {
    attestation = await RunnerAttestation.open({
      role: 'proxy', tee: config.tee, devAuthorityDir: config.attestation_dev_authority_dir, pccsUrl: config.attestation_pccs_url,
      collateralDir: config.attestation_collateral_dir, logger: logger.child('attestation'), now: certificateClock(onChain, now, logger),
    });
    if (rootHashes && config.tee !== 'none' && config.tee !== 'fake_tdx') rootHashes.checkSelf('proxy', attestation.imageHash);
    verifiers = {
      worker: attestation.verifier({ policy: config.worker_policy, networkIsTest, expectedRole: 'worker', hashes: workerHashes }),
      // Clients are not TEEs: no root dictionary lists them (§7.3), so their images are not hash-checked.
      client: attestation.verifier({ policy: config.client_policy, networkIsTest }),
    };
  } catch (error) {
    await onChain?.close();
    throw error;
  }
  const identity = attestation.certificate;
  const firstPublicKey = identity.current().publicKey;
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

  const registry = onChain ? new GatedWorkerRegistry({ now }, onChain.gate) : new WorkerRegistry({ now });
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
  };

  const newAccounts = () => new ClientAccountRegistry({
    source: onChain?.clientStates ?? new ConfiguredClientStateSource(config.dev_clients.map((client) => ({
      ownerAddress: client.owner_address, balanceNanoton: client.balance_nanoton, stakeNanoton: client.stake_nanoton,
    }))),
    pricePerToken: () => prices().pricePerToken,
    restoreUsedTokens: async (owner) => (await ledger.clientTotals(owner)).tokensMax,
  });
  const secretHashes = new Map(config.dev_clients.map((client) => [client.owner_address, Buffer.from(client.secret_hash, 'hex')]));
  const clients: ClientDirectory = {
    async find(owner) {
      const secretHash = onChain ? await onChain.clientStates.secretHash(owner) : secretHashes.get(owner);
      return secretHash ? { secretHash, account: await accounts.open(owner) } : undefined;
    },
  };
  let accounts = newAccounts();
  onChain?.watcher.onChange((next) => { requestContext.configVersion = next.version; });
  // §6.7: on new contracts every client/worker reconnects and client books restart from the new (empty) ledger.
  onChain?.instances.onSwitched(() => {
    accounts = newAccounts();
    for (const session of sessions) session.close(new CocoonError('CCN_ERR_TON_PARAMS_CHANGED', 'network parameters changed: reconnect to the new contracts'));
  });
  // Client contract notifications keep the account mirrors current (§6.5: the proxy learns balances only from chain).
  onChain?.instances.onClientState((owner, state) => {
    for (const account of accounts.list()) if (sameAddress(account.ownerAddress, owner)) accounts.updateState(account.ownerAddress, state);
  });

  let connectionCounter = 0;
  const sessions = new Set<CocoonSession>();
  /** Accepts one kind of peer on its port; each verified connection becomes a session handed to `attach`. */
  const listenFor = (kind: 'worker' | 'client', port: number, attach: (session: CocoonSession, id: string) => void) =>
    listenSecure({
      host: config.host, port, identity, powDifficulty: config.pow_difficulty, verifier: verifiers[kind],
      onRejected: (error, remote) => {
        stats.connectionRejected();
        logger.warn(`${kind} connection rejected`, { remote, error: error.message });
      },
      onConnection: (socket, peer) => {
        const session = new CocoonSession(socket, { role: 'listener', random: deps.random });
        sessions.add(session);
        session.on('close', () => sessions.delete(session));
        const id = `${kind}-${++connectionCounter}`;
        logger.debug('connection accepted', { connection: id, policy: peer.policy, image_hash: peer.imageHash.toString('hex') });
        attach(session, id);
        session.open().catch(() => undefined); // failures close the session, which the connection handles
      },
    });
  const workerServer = await listenFor('worker', config.worker_port, (session, id) => {
    new ProxyWorkerConnection({
      id, session, identity: proxyIdentity, registry, workerLinks, ledger, chain: chainLink, logger,
      ...(workerHashes ? { checkModel: (model: string) => workerHashes.checkModel(model) } : {}),
    });
  });
  const opened: Array<{ close(): Promise<void> }> = [workerServer];
  try {
    const clientServer = await listenFor('client', config.client_port, (session, id) => {
      new ProxyClientConnection({ id, session, identity: proxyIdentity, clients, registry, ledger, chain: chainLink, requestContext, logger, random: deps.random });
    });
    opened.push(clientServer);
    const statsServer = await startStatsHttpServer({
      host: config.host, port: config.http_port, title: 'COCOON proxy', accessHash: config.http_access_hash || undefined,
      jsonStats: async () => stats.json({
        config, registry, accounts, ledgerSummary: await ledger.summary(), chain: onChain && await chainStats(onChain),
        attestation: { tee: attestation.tee, image_hash: attestation.imageHash.toString('hex'), trust: attestation.trustName, hash_checks: workerHashes !== undefined },
      }),
      controls: onChain ? {
        settle: async () => ({ ...await onChain.settlement.settle() }),
        save_state: async () => ({ seqno: await onChain.settlement.saveState() }),
      } : undefined,
    });
    opened.push(statsServer);
    attestation.start();
    logger.info('proxy ready', { worker_port: workerServer.port, client_port: clientServer.port, stats: statsServer.url, pow_difficulty: config.pow_difficulty });
    return {
      readyInfo: {
        worker_port: workerServer.port, client_port: clientServer.port, stats_url: statsServer.url, public_key: firstPublicKey.toString('hex'),
        image_hash: attestation.imageHash.toString('hex'),
      },
      async close() {
        attestation.stop();
        await Promise.all(opened.map((server) => server.close()));
        for (const session of sessions) session.close();
        await onChain?.close();
        await ledger.close();
      },
    };
  } catch (error) {
    await Promise.all(opened.map((server) => server.close()));
    await onChain?.close();
    throw error;
  }
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
