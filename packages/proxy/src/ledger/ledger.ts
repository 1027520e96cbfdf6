/**
 * The ledger port: the one place through which completion accounting (§4.8) becomes
 * durable. Implementations: `InMemoryLedger` now; a database-backed one later.
 * Every implementation must pass `test/ledger/ledger-conformance.ts`.
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
  /** Tokens covered by a payment committed on chain (0 until the TON issue). */
  tokensCommittedToBlockchain: bigint;
}

export interface LedgerSummary {
  requests: number;
  tokens: bigint;
  clientPaidNanoton: bigint;
  workerEarnedNanoton: bigint;
  proxyCommissionNanoton: bigint;
}

export interface Ledger {
  /** Resolves once the entry is durable; a duplicate `requestId` is ignored. */
  recordCompletion(entry: LedgerCompletion): Promise<void>;
  clientTotals(owner: string): Promise<LedgerTotals>;
  workerTotals(owner: string): Promise<LedgerTotals>;
  summary(): Promise<LedgerSummary>;
  close(): Promise<void>;
}

export const ZERO_TOTALS: Readonly<LedgerTotals> = Object.freeze({ tokensMax: 0n, tokensCommittedToDb: 0n, tokensCommittedToBlockchain: 0n });
