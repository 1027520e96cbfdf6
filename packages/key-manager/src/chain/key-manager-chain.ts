/**
 * Puts the key manager on chain (config `ton_endpoint`, or an injected chain): the chain client,
 * the root watcher (hash lists, registered keys, the key manager the root names), and the
 * wallet that relays the signed publications (waits, logging "ACTION REQUIRED", while it is
 * underfunded). Undefined off chain.
 */
import { Address } from '@ton/core';
import { CocoonError, type Logger } from '@cocoon/protocol';
import { RootConfigWatcher, RunnerWallet, createChain, loadOrCreateKeyPair, type Chain } from '@cocoon/ton';
import type { KeyManagerConfig } from '../config/index.ts';
import { keyManagerRootView, type KeyManagerRootView } from './key-manager-root-view.ts';

export interface KeyManagerChain {
  chain: Chain;
  wallet: RunnerWallet;
  watcher: RootConfigWatcher;
  rootAddress: Address;
  root(): KeyManagerRootView;
  close(): Promise<void>;
}

export interface KeyManagerChainOptions {
  chain?: Chain;
  now?: () => number;
  /** Delay between balance checks while the wallet is underfunded (5 s). */
  fundingRetryMs?: number;
}

export async function openKeyManagerChain(config: KeyManagerConfig, logger: Logger, options: KeyManagerChainOptions = {}): Promise<KeyManagerChain | undefined> {
  if (config.ton_endpoint === '' && !options.chain) return undefined;
  if (config.root_contract_address === '') {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'root_contract_address is required on chain', { param: 'root_contract_address' });
  }
  const chain = options.chain ?? await createChain({ kind: 'toncenter', endpoint: config.ton_endpoint, apiKey: config.ton_api_key || undefined });
  try {
    const rootAddress = Address.parse(config.root_contract_address);
    const watcher = await RootConfigWatcher.open({ chain, rootAddress, intervalMs: config.root_refresh_interval_ms, logger: logger.child('root'), now: options.now });
    const wallet = new RunnerWallet({ chain, keyPair: loadOrCreateKeyPair(config.node_wallet_key_file), ownerAddress: Address.parse(config.owner_address), logger });
    logger.info('key manager wallet', { address: wallet.friendlyAddress() });
    await wallet.waitUntilFunded(logger, options.fundingRetryMs ?? 5000);
    watcher.start();
    return {
      chain, wallet, watcher, rootAddress,
      root: () => keyManagerRootView(watcher.current),
      async close() {
        watcher.close();
        if (!options.chain) await chain.close();
      },
    };
  } catch (error) {
    if (!options.chain) await chain.close().catch(() => undefined);
    throw error;
  }
}
