/**
 * Puts a proxy runner on chain from its config: the chain client, the runner wallet (waits
 * with an "ACTION REQUIRED" message while it is underfunded), the payment key, the durable
 * LMDB ledger signed by that key (`db_path`; later params instances under
 * `<db_path>/params-v<N>`), the root watcher and the started `ProxyInstances` (the current
 * `ProxySettlement`, migration on params changes). Returns the chain link the connections
 * use (always the current instance) and a client-state source backed by client contracts.
 */
import { join } from 'node:path';
import { Address } from '@ton/core';
import type { Logger, NetworkParamsSource, TlObject } from '@cocoon/protocol';
import { RootConfigWatcher, RunnerWallet, createChain, loadOrCreateKeyPair, type Chain } from '@cocoon/ton';
import type { ProxyConfig } from '../config/index.ts';
import { InMemoryLedger, LmdbLedger, type Ledger } from '../ledger/index.ts';
import type { ClientContractState, ClientStateSource } from '../billing/index.ts';
import type { ProxyChainLink } from '../connections/proxy-chain-link.ts';
import type { ProxySettlement } from './proxy-settlement.ts';
import { ProxyInstances } from './proxy-instances.ts';
import type { AdmissionGate } from './admission-gate.ts';
import { InstanceNetworkParamsSource } from './instance-network-params-source.ts';

export interface ProxyChainSetup {
  chain: Chain;
  wallet: RunnerWallet;
  /** Always the current instance's ledger. */
  ledger: Ledger;
  /** The current instance's settlement (changes on a params migration). */
  readonly settlement: ProxySettlement;
  instances: ProxyInstances;
  /** Price, fee and multipliers of the contracts served now (changes on a params migration). */
  networkParams: NetworkParamsSource;
  watcher: RootConfigWatcher;
  /** Refuses new requests while migrating or while the root config is stale. */
  gate: AdmissionGate;
  link: ProxyChainLink;
  clientStates: ClientStateSource & { secretHash(owner: string): Promise<Buffer | undefined> };
  proxyPublicKey: Buffer;
  close(): Promise<void>;
}


export interface ProxyChainSetupOptions {
  chain?: Chain;
  ledger?: Ledger;
  /** Running requests, drained before a params migration switches contracts. */
  inFlight?: () => number;
  now?: () => number;
}

export async function setupProxyChain(config: ProxyConfig, logger: Logger, options: ProxyChainSetupOptions = {}): Promise<ProxyChainSetup> {
  const chain = options.chain ?? await createChain({ kind: 'toncenter', endpoint: config.ton_endpoint, apiKey: config.ton_api_key || undefined });
  const walletKey = loadOrCreateKeyPair(config.node_wallet_key_file);
  const proxyKey = loadOrCreateKeyPair(config.proxy_key_file);
  const proxyPublicKey = Buffer.from(proxyKey.publicKey);
  const ownerAddress = Address.parse(config.owner_address);
  const wallet = new RunnerWallet({ chain, keyPair: walletKey, ownerAddress, logger });
  logger.info('proxy wallet', { address: wallet.friendlyAddress() });
  await wallet.waitUntilFunded(logger);
  const signingKey = { publicKey: proxyPublicKey, secretKey: Buffer.from(proxyKey.secretKey) };
  const baseLedger = options.ledger ?? await LmdbLedger.open({ path: config.db_path, signingKey });
  const rootAddress = Address.parse(config.root_contract_address);
  const watcher = await RootConfigWatcher.open({ chain, rootAddress, intervalMs: config.root_refresh_interval_ms, logger: logger.child('root'), now: options.now });
  const instances = new ProxyInstances({
    chain, wallet, logger, ownerAddress, rootAddress, watcher, baseLedger,
    openLedger: async (paramsVersion) => options.ledger || config.db_path === ''
      ? new InMemoryLedger()
      : LmdbLedger.open({ path: join(config.db_path, `params-v${paramsVersion}`), signingKey }),
    proxyKey: signingKey,
    pollIntervalMs: config.ton_poll_interval_ms,
    saveStateIntervalMs: config.save_state_interval_ms,
    chargeThresholdNanoton: config.charge_threshold_nanoton,
    payoutThresholdNanoton: config.payout_threshold_nanoton,
    rootMaxAgeMs: config.root_max_age_seconds * 1000,
    inFlight: options.inFlight, now: options.now,
  });
  await instances.start();
  watcher.start();
  const current = () => instances.settlement;
  const friendly = (address: Address) => address.toString({ testOnly: current().params.isTest });
  const link: ProxyChainLink = {
    onChain: true,
    clientContractAddress: (owner) => friendly(current().clientContractAddress(owner)),
    workerContractAddress: (owner) => friendly(current().workerContractAddress(owner)),
    signedClientPayment: (owner): Promise<TlObject> => current().signedClientPayment(owner),
    signedWorkerPayment: (owner): Promise<TlObject> => current().signedWorkerPayment(owner),
    waitForRegistration: (owner, nonce, timeoutMs) => current().waitForRegistration(owner, nonce, timeoutMs),
  };
  const clientStates = {
    async load(owner: string): Promise<ClientContractState | undefined> {
      return (await current().loadClient(owner))?.state;
    },
    async secretHash(owner: string): Promise<Buffer | undefined> {
      return (await current().loadClient(owner))?.contract.secretHash;
    },
  };
  return {
    chain, wallet, ledger: instances.ledger, instances, networkParams: new InstanceNetworkParamsSource(instances), watcher, gate: instances.gate, link, clientStates, proxyPublicKey,
    get settlement() { return instances.settlement; },
    async close() {
      watcher.close();
      await instances.close();
      await baseLedger.close();
      await chain.close();
    },
  };
}
