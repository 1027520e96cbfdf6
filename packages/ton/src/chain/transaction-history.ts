/**
 * Per-account transaction history of a dev chain (the sandbox keeps none we can page
 * through): answers `Chain.getTransactions` queries newest first with the toncenter
 * semantics (start at lt/hash inclusive, stop above `toLt`), and round-trips through
 * JSON as transaction BOCs so the local chain process keeps it across restarts.
 */
import { Address, Cell, loadTransaction, type Transaction } from '@ton/core';
import type { ChainTransactionQuery } from './chain.ts';

export interface StoredTransaction {
  /** Raw form `0:abcd…` of the account the transaction belongs to. */
  address: string;
  /** Base64 BOC of the transaction cell. */
  boc: string;
}

interface HistoryEntry {
  lt: bigint;
  hash: Buffer;
  transaction: Transaction;
}

export class TransactionHistory {
  /** Oldest first, per raw address. */
  private readonly byAddress = new Map<string, HistoryEntry[]>();
  /** Every transaction in the order it happened (for export). */
  private readonly ordered: StoredTransaction[] = [];

  get size(): number {
    return this.ordered.length;
  }

  /** Records a transaction of `address` (lt grows monotonically on a chain). */
  record(address: Address, transaction: Transaction): void {
    const key = address.toRawString();
    const entries = this.byAddress.get(key) ?? [];
    const last = entries[entries.length - 1];
    entries.push({ lt: transaction.lt, hash: transaction.hash(), transaction });
    if (last && last.lt > transaction.lt) entries.sort((left, right) => (left.lt < right.lt ? -1 : left.lt > right.lt ? 1 : 0));
    this.byAddress.set(key, entries);
    this.ordered.push({ address: key, boc: transaction.raw.toBoc().toString('base64') });
  }

  /** Newest first; `lt`/`hash` start there (inclusive, empty if unknown), `toLt` is an exclusive lower bound. */
  query(address: Address, query: ChainTransactionQuery): Transaction[] {
    const entries = this.byAddress.get(address.toRawString()) ?? [];
    let start = entries.length - 1;
    if (query.lt !== undefined) {
      const startLt = query.lt;
      if (query.hash !== undefined) {
        const hash = query.hash;
        start = entries.findIndex((entry) => entry.lt === startLt && entry.hash.equals(hash));
      } else {
        start = findLastIndex(entries, (entry) => entry.lt <= startLt);
      }
    }
    const result: Transaction[] = [];
    for (let index = start; index >= 0 && result.length < query.limit; index--) {
      const entry = entries[index];
      if (!entry || (query.toLt !== undefined && entry.lt <= query.toLt)) break;
      result.push(entry.transaction);
    }
    return result;
  }

  toJSON(): StoredTransaction[] {
    return [...this.ordered];
  }

  static fromJSON(stored: readonly StoredTransaction[]): TransactionHistory {
    const history = new TransactionHistory();
    for (const entry of stored) {
      const transaction = loadTransaction(Cell.fromBase64(entry.boc).beginParse());
      history.record(Address.parseRaw(entry.address), transaction);
    }
    return history;
  }
}

function findLastIndex<T>(items: readonly T[], predicate: (item: T) => boolean): number {
  for (let index = items.length - 1; index >= 0; index--) if (predicate(items[index] as T)) return index;
  return -1;
}
