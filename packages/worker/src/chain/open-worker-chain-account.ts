/**
 * Builds the worker's `WorkerChainAccount` from its config (§8.4): the chain (toncenter
 * endpoint, or an injected one in tests), the node wallet from its key file, the root
 * contract, and the payout ledger directory. Returns undefined when `ton_endpoint` is ''
 * (off chain, dev only).
 */
import { Address } from '@ton/core';
import { CocoonError } from '@cocoon/protocol';
import type { Logger } from '@cocoon/protocol';
import { loadOrCreateKeyPair, RunnerWallet, TonClientChain, type Chain } from '@cocoon/ton';
import type { WorkerConfig } from '../config/index.ts';
import { WorkerChainAccount } from './worker-chain-account.ts';

export interface OpenWorkerChainAccountDeps {
  logger: Logger;
  /** Use this chain instead of connecting to `ton_endpoint` (tests: a SandboxChain). */
  chain?: Chain;
}

type WorkerChainConfig = Pick<WorkerConfig,
  'ton_endpoint' | 'ton_api_key' | 'root_contract_address' | 'node_wallet_key_file' | 'owner_address'
  | 'worker_state_dir' | 'payout_threshold_nanoton' | 'payment_status_interval_ms'> & Partial<Pick<WorkerConfig, 'root_refresh_interval_ms'>>;

export function openWorkerChainAccount(config: WorkerChainConfig, deps: OpenWorkerChainAccountDeps): WorkerChainAccount | undefined {
  if (config.ton_endpoint === '' && !deps.chain) return undefined;
  if (config.root_contract_address === '') {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'root_contract_address is required when ton_endpoint is set', { param: 'root_contract_address' });
  }
  const chain = deps.chain ?? new TonClientChain({ endpoint: config.ton_endpoint, ...(config.ton_api_key ? { apiKey: config.ton_api_key } : {}) });
  const ownerAddress = Address.parse(config.owner_address);
  const logger = deps.logger.child('chain');
  const wallet = new RunnerWallet({ chain, keyPair: loadOrCreateKeyPair(config.node_wallet_key_file), ownerAddress, logger });
  logger.info('worker on chain', { chain: chain.kind, wallet: wallet.friendlyAddress(), owner: config.owner_address, root: config.root_contract_address });
  return new WorkerChainAccount({
    chain, wallet, ownerAddress,
    rootAddress: Address.parse(config.root_contract_address),
    stateDirectory: config.worker_state_dir,
    payoutThresholdNanoton: config.payout_threshold_nanoton,
    paymentStatusIntervalMs: config.payment_status_interval_ms,
    ...(config.root_refresh_interval_ms === undefined ? {} : { rootRefreshIntervalMs: config.root_refresh_interval_ms }),
    logger,
  });
}
