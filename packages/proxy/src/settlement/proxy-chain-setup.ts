/**
 * Puts a proxy runner on chain from its config: the chain client, the runner wallet (waits
 * with an "ACTION REQUIRED" message while it is underfunded), the payment key, the durable
 * LMDB ledger signed by that key, and the started `ProxySettlement`. Returns the chain link
 * the connections use and a client-state source backed by client contracts.
 */
import { Address } from '@ton/core';
import { CocoonError, type Logger, type TlObject } from '@cocoon/protocol';
import { RunnerWallet, createChain, loadOrCreateKeyPair, type Chain } from '@cocoon/ton';
import type { ProxyConfig } from '../config/index.ts';
import { LmdbLedger, type Ledger } from '../ledger/index.ts';
import type { ClientContractState, ClientStateSource } from '../billing/index.ts';
import type { ProxyChainLink } from '../connections/proxy-chain-link.ts';
import { ProxySettlement } from './proxy-settlement.ts';

export interface ProxyChainSetup {
  chain: Chain;
  wallet: RunnerWallet;
  ledger: Ledger;
  settlement: ProxySettlement;
  link: ProxyChainLink;
  clientStates: ClientStateSource & { secretHash(owner: string): Promise<Buffer | undefined> };
  proxyPublicKey: Buffer;
  close(): Promise<void>;
}

/** Waits until the wallet holds the minimum, logging what to do (never crashes on low funds). */
export async function waitForFundedWallet(wallet: RunnerWallet, logger: Logger, retryMs = 5000): Promise<void> {
  for (;;) {
    try {
      await wallet.ensureBalance();
      return;
    } catch (error) {
      if (!(error instanceof CocoonError) || error.code !== 'CCN_ERR_TON_LOW_BALANCE') throw error;
      logger.error(error.message);
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  }
}

export async function setupProxyChain(config: ProxyConfig, logger: Logger, options: { chain?: Chain; ledger?: Ledger } = {}): Promise<ProxyChainSetup> {
  const chain = options.chain ?? await createChain({ kind: 'toncenter', endpoint: config.ton_endpoint, apiKey: config.ton_api_key || undefined });
  const walletKey = loadOrCreateKeyPair(config.node_wallet_key_file);
  const proxyKey = loadOrCreateKeyPair(config.proxy_key_file);
  const proxyPublicKey = Buffer.from(proxyKey.publicKey);
  const ownerAddress = Address.parse(config.owner_address);
  const wallet = new RunnerWallet({ chain, keyPair: walletKey, ownerAddress, logger });
  logger.info('proxy wallet', { address: wallet.friendlyAddress() });
  await waitForFundedWallet(wallet, logger);
  const ledger = options.ledger ?? await LmdbLedger.open({ path: config.db_path, signingKey: { publicKey: proxyPublicKey, secretKey: Buffer.from(proxyKey.secretKey) } });
  const settlement = new ProxySettlement({
    chain, wallet, ledger, logger, ownerAddress,
    rootAddress: Address.parse(config.root_contract_address),
    proxyKey: { publicKey: proxyPublicKey, secretKey: Buffer.from(proxyKey.secretKey) },
    pollIntervalMs: config.ton_poll_interval_ms,
    saveStateIntervalMs: config.save_state_interval_ms,
    chargeThresholdNanoton: config.charge_threshold_nanoton,
    payoutThresholdNanoton: config.payout_threshold_nanoton,
  });
  await settlement.start();
  const isTest = settlement.params.isTest;
  const friendly = (address: Address) => address.toString({ testOnly: isTest });
  const link: ProxyChainLink = {
    onChain: true,
    clientContractAddress: (owner) => friendly(settlement.clientContractAddress(owner)),
    workerContractAddress: (owner) => friendly(settlement.workerContractAddress(owner)),
    signedClientPayment: (owner): Promise<TlObject> => settlement.signedClientPayment(owner),
    signedWorkerPayment: (owner): Promise<TlObject> => settlement.signedWorkerPayment(owner),
    waitForRegistration: (owner, nonce, timeoutMs) => settlement.waitForRegistration(owner, nonce, timeoutMs),
  };
  const clientStates = {
    async load(owner: string): Promise<ClientContractState | undefined> {
      return (await settlement.loadClient(owner))?.state;
    },
    async secretHash(owner: string): Promise<Buffer | undefined> {
      return (await settlement.loadClient(owner))?.contract.secretHash;
    },
  };
  return {
    chain, wallet, ledger, settlement, link, clientStates, proxyPublicKey,
    async close() {
      await settlement.close();
      await chain.close();
    },
  };
}
