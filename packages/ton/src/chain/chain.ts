/**
 * The `Chain` port: everything the runners need from TON. Implementations share one
 * conformance suite (test/chain/chain-conformance.ts): `SandboxChain` (in-process emulator,
 * tests), `TonClientChain` (toncenter v2 HTTP API: the local `cocoon chain` process,
 * testnet or mainnet). A `ChainFaucet` exists only on dev chains.
 */
import type { Address, Cell, Transaction, TupleItem, TupleReader } from '@ton/core';

export type ChainAccountState = 'active' | 'uninit' | 'frozen';

export interface ChainAccount {
  state: ChainAccountState;
  /** nanoTON. */
  balance: bigint;
  code: Cell | null;
  data: Cell | null;
  /** The newest transaction of the account, or null if it has none. */
  lastTransaction: { lt: bigint; hash: Buffer } | null;
}

export interface ChainTransactionQuery {
  /** At most this many transactions (newest first). */
  limit: number;
  /** Start from this transaction (inclusive) instead of the newest; needs `hash`. */
  lt?: bigint;
  hash?: Buffer;
  /** Stop at transactions with lt ≤ toLt (exclusive bound: older ones are not returned). */
  toLt?: bigint;
}

export interface Chain {
  /** 'sandbox' | 'toncenter' — for logs and /jsonstats. */
  readonly kind: string;
  getAccount(address: Address): Promise<ChainAccount>;
  /**
   * Runs a get method on the account's current state; throws CCN_ERR_TON_TRANSACTION_FAILED on a
   * non-zero exit code (1, TVM's alternative success, counts as success) and on accounts that are
   * not active (toncenter's exit code -13).
   */
  runGetMethod(address: Address, method: string, args?: TupleItem[]): Promise<TupleReader>;
  /**
   * Sends a serialized external-in message (`storeMessage` of a Message with info.type 'external-in').
   * A message the contract does not accept (or that is no message at all) is CCN_ERR_TON_TRANSACTION_FAILED;
   * an unreachable API is CCN_ERR_TON_UNAVAILABLE. Resolving means accepted, not yet final on a real chain.
   */
  sendExternalMessage(message: Cell): Promise<void>;
  /** Transactions of an account, newest first. */
  getTransactions(address: Address, query: ChainTransactionQuery): Promise<Transaction[]>;
  /** Unix seconds as the chain sees it (the time contracts use). */
  now(): Promise<number>;
  close(): Promise<void>;
}

/** Dev chains only: gives an address coins out of thin air (a non-bounceable transfer). */
export interface ChainFaucet {
  fund(address: Address, amountNanoton: bigint): Promise<void>;
}
