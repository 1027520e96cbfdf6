/** The ledger port (durable accounting, save-state commit scheme) and its implementations. */
export {
  ZERO_TOTALS,
  type Ledger,
  type LedgerCompletion,
  type LedgerTotals,
  type LedgerSummary,
  type LedgerOwnerKind,
  type LedgerOwnerTotals,
  type LedgerPeerClaim,
  type LedgerSaveStateSeqnos,
} from './ledger.ts';
export { InMemoryLedger } from './in-memory-ledger.ts';
export { LmdbLedger, type LmdbLedgerOptions } from './lmdb-ledger.ts';
export { type LedgerSigningKey } from './ledger-record-signer.ts';
export { assertValidLedgerCompletion } from './ledger-entry-validation.ts';
export { assertLedgerNotBehind } from './ledger-rollback-check.ts';
