/** Test helpers shared by the ledger suites: valid sample completions and the totals ordering invariant. */
import assert from 'node:assert/strict';
import type { LedgerCompletion, LedgerTotals } from '../../src/ledger/index.ts';

let sequence = 0;

/** A valid entry at price 20 / fee 19 (mainnet) for `total` tokens split over the categories. */
export function sampleCompletion(overrides: Partial<LedgerCompletion> & { total?: number } = {}): LedgerCompletion {
  const total = overrides.total ?? 100;
  const prompt = Math.floor(total / 2);
  const completion = total - prompt;
  const { total: _total, ...rest } = overrides;
  sequence += 1;
  return {
    requestId: sequence.toString(16).padStart(64, '0'),
    clientOwner: 'client-a',
    workerOwner: 'worker-a',
    tokens: { prompt, cached: 0, completion, reasoning: 0, total },
    clientCostNanoton: BigInt(total) * 20n,
    workerEarnedNanoton: BigInt(total) * 19n,
    proxyCommissionNanoton: BigInt(total),
    at: 1_700_000_000_000,
    ...rest,
  };
}

export function assertOrdered(totals: LedgerTotals): void {
  assert.ok(totals.tokensCommittedToBlockchain <= totals.tokensCommittedToDb, 'blockchain ≤ db');
  assert.ok(totals.tokensCommittedToDb <= totals.tokensMax, 'db ≤ max');
}
