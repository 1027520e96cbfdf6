/**
 * The ledger port: the one place through which completion accounting (§4.8) becomes
 * durable, plus the save-state commit scheme of §6.4 / §15.3 (snapshot → seen on chain →
 * committed to blockchain). Implementations: `InMemoryLedger` (tests) and `LmdbLedger`
 * (durable, signed records). Every implementation must pass `test/ledger/ledger-conformance.ts`.
 */
import type { AdjustedTokens } from '@cocoon/protocol';

/** One finished request, as billed (§4.8, §5.2). */
export interface LedgerCompletion {
  /** Proxy-side request id, hex. Recording the same id twice counts once. */
  requestId: string;
  clientOwner: string;
  workerOwner: string;
  /** Final adjusted tokens (`tokensUsed`). */
  tokens: AdjustedTokens;
  /** total × price_per_token. */
  clientCostNanoton: bigint;
  /** total × worker_fee_per_token. */
  workerEarnedNanoton: bigint;
  /** clientCost − workerEarned. */
  proxyCommissionNanoton: bigint;
  /** Unix milliseconds. */
  at: number;
}

/** Per-owner token totals (§15.3 `ProxySignedPayments`); never go backwards. */
export interface LedgerTotals {
  /** All tokens billed so far (live). */
  tokensMax: bigint;
  /** Tokens durably stored by the ledger. */
  tokensCommittedToDb: bigint;
  /** Tokens covered by a save-state seen on chain (§6.4); the only value the proxy ever signs. */
  tokensCommittedToBlockchain: bigint;
}

export interface LedgerSummary {
  requests: number;
  tokens: bigint;
  clientPaidNanoton: bigint;
  workerEarnedNanoton: bigint;
  proxyCommissionNanoton: bigint;
}

export type LedgerOwnerKind = 'client' | 'worker';

export interface LedgerOwnerTotals {
  owner: string;
  totals: LedgerTotals;
}

/** What a peer believes the proxy told it (§3.2 `compareBalanceWithProxy`). */
export interface LedgerPeerClaim {
  tokensCommittedToBlockchain: bigint;
  tokensCommittedToDb: bigint;
}

export interface LedgerSaveStateSeqnos {
  /** Newest seqno handed out by `snapshotForSaveState` (0 = none yet). */
  snapshot: number;
  /** Newest seqno applied by `commitSaveState` (0 = none yet). */
  committed: number;
}

export interface Ledger {
  /** Resolves once the entry is durable; a duplicate `requestId` is ignored. */
  recordCompletion(entry: LedgerCompletion): Promise<void>;
  clientTotals(owner: string): Promise<LedgerTotals>;
  workerTotals(owner: string): Promise<LedgerTotals>;
  /** Every client owner with at least one recorded completion, sorted by owner. */
  clients(): Promise<LedgerOwnerTotals[]>;
  /** Every worker owner with at least one recorded completion, sorted by owner. */
  workers(): Promise<LedgerOwnerTotals[]>;
  summary(): Promise<LedgerSummary>;
  /**
   * Durably snapshots every owner's `tokensMax` under a new save-state seqno (1, 2, 3, …,
   * strictly increasing, also across restarts) and returns it; the caller then sends
   * `proxy_save_state seqno` to its proxy contract.
   */
  snapshotForSaveState(): Promise<number>;
  /**
   * The proxy saw its save-state `seqno` on chain: every owner's
   * `tokensCommittedToBlockchain` becomes its snapshot value at `seqno` (never decreasing)
   * and snapshots ≤ `seqno` are dropped. Unknown or already-committed seqnos are a no-op.
   */
  commitSaveState(seqno: number): Promise<void>;
  lastSaveStateSeqno(): Promise<LedgerSaveStateSeqnos>;
  /** Durable small values (proxy contract address, session hash, params version, …). */
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
  /**
   * §3.2 anti-rollback: rejects with CCN_ERR_LEDGER_ROLLBACK when the peer claims more
   * committed-to-blockchain or committed-to-DB tokens than this ledger knows.
   */
  assertNotBehind(kind: LedgerOwnerKind, owner: string, claimed: LedgerPeerClaim): Promise<void>;
  close(): Promise<void>;
}

export const ZERO_TOTALS: Readonly<LedgerTotals> = Object.freeze({ tokensMax: 0n, tokensCommittedToDb: 0n, tokensCommittedToBlockchain: 0n });
