/**
 * Puts the client runner on chain from its config (`ton_endpoint` set): the chain client,
 * the runner wallet from the node wallet key file (owner = `owner_address`), the root
 * config, and the started ClientChain. A low wallet balance is logged ("ACTION REQUIRED",
 * with the wallet address) but does not stop the runner: operations retry until funded.
 */
import { Address } from '@ton/core';
import { CocoonError, isCocoonError, type Logger } from '@cocoon/protocol';
import { RootConfigWatcher, RunnerWallet, createChain, loadOrCreateKeyPair, readRootConfig, type Chain } from '@cocoon/ton';
import type { ClientConfig } from '../config/index.ts';
import { ClientChain } from './client-chain.ts';
import { createQueryIdSource } from './client-chain-context.ts';

export interface ClientChainSetupOptions {
  logger: Logger;
  /** Default: a toncenter client for `ton_endpoint`. */
  chain?: Chain;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function openClientChain(config: ClientConfig, options: ClientChainSetupOptions): Promise<ClientChain> {
  if (config.root_contract_address === '') {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'root_contract_address is required with ton_endpoint', { param: 'root_contract_address' });
  }
  const { logger } = options;
  const now = options.now ?? Date.now;
  const chain = options.chain ?? (await createChain({ kind: 'toncenter', endpoint: config.ton_endpoint, ...(config.ton_api_key ? { apiKey: config.ton_api_key } : {}) }));
  const rootAddress = Address.parse(config.root_contract_address);
  const rootConfig = await readRootConfig(chain, rootAddress);
  if (rootConfig.params.isTest !== config.is_test) {
    throw new CocoonError('CCN_ERR_TON_CONTRACT_MISMATCH', `root contract is_test=${rootConfig.params.isTest} differs from the client's is_test=${config.is_test}`, { param: 'is_test' });
  }
  const wallet = new RunnerWallet({
    chain, keyPair: loadOrCreateKeyPair(config.node_wallet_key_file), ownerAddress: Address.parse(config.owner_address), logger, now,
  });
  const watcher = await RootConfigWatcher.open({ chain, rootAddress, initial: rootConfig, intervalMs: config.root_refresh_interval_ms, logger: logger.child('root'), now });
  watcher.onParamsChanged((next) => {
    logger.warn('root params changed: new client contracts are derived for proxies on the new params', { params_version: next.params.paramsVersion, price_per_token: next.params.pricePerToken.toString() });
  });
  const clientChain = new ClientChain({
    chain, wallet, rootAddress, rootConfig, params: rootConfig.params, isTest: config.is_test, watcher,
    secretString: config.secret_string, logger, now, sleep: options.sleep ?? defaultSleep,
    pollIntervalMs: Math.min(config.ton_poll_interval_ms, 1000), waitTimeoutMs: 300_000,
    nextQueryId: createQueryIdSource(now), automationIntervalMs: config.ton_automation_interval_ms,
  });
  logger.info('client wallet', { address: clientChain.ownerAddressText, root: config.root_contract_address, root_version: rootConfig.version });
  await wallet.ensureBalance().catch((error: unknown) => {
    if (isCocoonError(error) && error.code === 'CCN_ERR_TON_LOW_BALANCE') logger.error(error.message, { wallet: clientChain.ownerAddressText });
    else logger.warn('cannot read the wallet balance', { error: error instanceof Error ? error.message : String(error) });
  });
  await clientChain.tick();
  clientChain.start();
  watcher.start();
  return clientChain;
}
