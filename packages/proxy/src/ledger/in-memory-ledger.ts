/**
 * InMemoryLedger: holds every completion in process memory. NOTHING SURVIVES A RESTART:
 * it is for development and tests. The durable ledger comes with the TON issue. An entry
 * counts as "committed to DB" as soon as it is recorded; nothing is committed to the
 * blockchain here (always 0).
 */
import { CocoonError } from '@cocoon/protocol';
import { ZERO_TOTALS, type Ledger, type LedgerCompletion, type LedgerSummary, type LedgerTotals } from './ledger.ts';
import { assertValidLedgerCompletion } from './ledger-entry-validation.ts';

export class InMemoryLedger implements Ledger {
  private readonly requestIds = new Set<string>();
  private readonly clientTokens = new Map<string, bigint>();
  private readonly workerTokens = new Map<string, bigint>();
  private readonly totals: LedgerSummary = { requests: 0, tokens: 0n, clientPaidNanoton: 0n, workerEarnedNanoton: 0n, proxyCommissionNanoton: 0n };
  private closed = false;

  async recordCompletion(entry: LedgerCompletion): Promise<void> {
    this.ensureOpen();
    assertValidLedgerCompletion(entry);
    const requestId = entry.requestId.toLowerCase();
    if (this.requestIds.has(requestId)) return;
    this.requestIds.add(requestId);
    const tokens = BigInt(entry.tokens.total);
    this.clientTokens.set(entry.clientOwner, (this.clientTokens.get(entry.clientOwner) ?? 0n) + tokens);
    this.workerTokens.set(entry.workerOwner, (this.workerTokens.get(entry.workerOwner) ?? 0n) + tokens);
    this.totals.requests += 1;
    this.totals.tokens += tokens;
    this.totals.clientPaidNanoton += entry.clientCostNanoton;
    this.totals.workerEarnedNanoton += entry.workerEarnedNanoton;
    this.totals.proxyCommissionNanoton += entry.proxyCommissionNanoton;
  }

  async clientTotals(owner: string): Promise<LedgerTotals> {
    this.ensureOpen();
    return totalsOf(this.clientTokens.get(owner));
  }

  async workerTotals(owner: string): Promise<LedgerTotals> {
    this.ensureOpen();
    return totalsOf(this.workerTokens.get(owner));
  }

  async summary(): Promise<LedgerSummary> {
    this.ensureOpen();
    return { ...this.totals };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private ensureOpen(): void {
    if (this.closed) throw new CocoonError('CCN_ERR_INTERNAL', 'ledger is closed');
  }
}

function totalsOf(tokens: bigint | undefined): LedgerTotals {
  if (tokens === undefined) return { ...ZERO_TOTALS };
  return { tokensMax: tokens, tokensCommittedToDb: tokens, tokensCommittedToBlockchain: 0n };
}
