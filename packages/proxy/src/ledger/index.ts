/** The ledger port (durable accounting) and its in-memory implementation. */
export { ZERO_TOTALS, type Ledger, type LedgerCompletion, type LedgerTotals, type LedgerSummary } from './ledger.ts';
export { InMemoryLedger } from './in-memory-ledger.ts';
export { assertValidLedgerCompletion } from './ledger-entry-validation.ts';
