/**
 * Chain access for the operator commands: a toncenter v2 `Chain` (the local `cocoon chain`, or
 * testnet/mainnet toncenter) from `--ton-endpoint` or the runner config's `ton_endpoint`, and
 * "what happened on chain" — the transactions an account got since a remembered point.
 */
import { Address } from '@ton/core';
import { CocoonError } from '@cocoon/protocol';
import { createChain, type Chain } from '@cocoon/ton';

export async function openOperatorChain(endpoint: string | undefined, apiKey?: string): Promise<Chain> {
  if (!endpoint) {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'no chain to ask: pass --ton-endpoint URL (e.g. http://127.0.0.1:8081/jsonRPC for `cocoon dev`) or --config with ton_endpoint set', { param: 'ton_endpoint' });
  }
  return createChain({ kind: 'toncenter', endpoint, ...(apiKey ? { apiKey } : {}) });
}

export function parseAddress(text: string, what: string): Address {
  try {
    return Address.parse(text);
  } catch {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', `${what}: not a TON address: '${text.slice(0, 80)}'`, { param: what });
  }
}

export interface AccountMark {
  address: Address;
  /** The newest transaction's lt when marked (null: none yet). */
  lt: bigint | null;
}

export async function markAccount(chain: Chain, address: Address): Promise<AccountMark> {
  return { address, lt: (await chain.getAccount(address)).lastTransaction?.lt ?? null };
}

export interface NewTransaction {
  hash: string;
  lt: bigint;
  /** Unix seconds. */
  time: number;
  aborted: boolean;
}

/** Transactions of the marked account newer than its mark, oldest first (at most `limit`). */
export async function transactionsSince(chain: Chain, mark: AccountMark, limit = 16): Promise<NewTransaction[]> {
  const transactions = await chain.getTransactions(mark.address, { limit, ...(mark.lt !== null ? { toLt: mark.lt } : {}) });
  return transactions
    .filter((transaction) => mark.lt === null || transaction.lt > mark.lt)
    .map((transaction) => ({
      hash: transaction.hash().toString('hex'), lt: transaction.lt, time: transaction.now,
      aborted: transaction.description.type === 'generic' && transaction.description.aborted,
    }))
    .reverse();
}
