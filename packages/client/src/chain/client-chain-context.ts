/**
 * What every client chain account shares: the chain, the runner wallet, the root contract
 * and its params, the secret, timings and ids. Also the proxy's announced identity
 * (`client.connectedToProxy`) that an account is created from.
 */
import type { Address } from '@ton/core';
import type { Logger } from '@cocoon/protocol';
import type { Chain, CocoonParams, RunnerWallet } from '@cocoon/ton';

/** The part of `RunnerWallet` the client uses (tests may substitute it). */
export type ClientChainWallet = Pick<RunnerWallet, 'address' | 'sendMessages' | 'waitForSeqno' | 'ensureBalance' | 'balance' | 'friendlyAddress'>;

export interface ClientChainAccountContext {
  chain: Chain;
  wallet: ClientChainWallet;
  rootAddress: Address;
  /** Current root params (price, stakes, codes). */
  params: CocoonParams;
  secretString: string;
  logger: Logger;
  /** Milliseconds since the epoch. */
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** How often contract state is re-read while waiting for an operation. */
  pollIntervalMs: number;
  /** How long to wait for an operation to show on chain. */
  waitTimeoutMs: number;
  nextQueryId: () => bigint;
}

/** What the proxy announced in `client.connectedToProxy` (§3.1). */
export interface ProxyContractIdentity {
  /** 32-byte Ed25519 key (`proxy_public_key:int256`). */
  proxyPublicKey: Buffer;
  proxyOwnerAddress: string;
  proxyContractAddress: string;
  clientContractAddress: string;
}

/** Query ids: milliseconds since the epoch × 1024 plus a counter (monotonic, fits uint64). */
export function createQueryIdSource(now: () => number = Date.now): () => bigint {
  let last = 0n;
  return () => {
    const next = BigInt(now()) * 1024n;
    last = next > last ? next : last + 1n;
    return last;
  };
}
