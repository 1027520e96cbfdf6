/**
 * InMemoryLedger: holds every completion in process memory. NOTHING SURVIVES A RESTART:
 * it is for development and tests (`LmdbLedger` is the durable one). An entry counts as
 * "committed to DB" as soon as it is recorded; "committed to blockchain" follows the
 * save-state snapshots exactly like the durable ledger (§6.4).
 */
import { CocoonError } from '@cocoon/protocol';
import {
  ZERO_TOTALS,
  type Ledger,
  type LedgerCompletion,
  type LedgerOwnerKind,
  type LedgerOwnerTotals,
  type LedgerPeerClaim,
  type LedgerSaveStateSeqnos,
  type LedgerSummary,
  type LedgerTotals,
} from './ledger.ts';
import { assertValidLedgerCompletion } from './ledger-entry-validation.ts';
import { assertLedgerNotBehind } from './ledger-rollback-check.ts';

interface OwnerTokens {
  tokensMax: bigint;
  tokensCommittedToBlockchain: bigint;
}

/** Owner → tokensMax at snapshot time, for owners not yet fully committed to blockchain. */
type SaveStateSnapshot = Record<LedgerOwnerKind, Map<string, bigint>>;

export class InMemoryLedger implements Ledger {
  private readonly requestIds = new Set<string>();
  private readonly owners: Record<LedgerOwnerKind, Map<string, OwnerTokens>> = { client: new Map(), worker: new Map() };
  private readonly snapshots = new Map<number, SaveStateSnapshot>();
  private readonly meta = new Map<string, string>();
  private readonly seqnos: LedgerSaveStateSeqnos = { snapshot: 0, committed: 0 };
  private readonly totals: LedgerSummary = { requests: 0, tokens: 0n, clientPaidNanoton: 0n, workerEarnedNanoton: 0n, proxyCommissionNanoton: 0n };
  private closed = false;

  async recordCompletion(entry: LedgerCompletion): Promise<void> {
    this.ensureOpen();
    assertValidLedgerCompletion(entry);
    const requestId = entry.requestId.toLowerCase();
    if (this.requestIds.has(requestId)) return;
    this.requestIds.add(requestId);
    const tokens = BigInt(entry.tokens.total);
    this.addTokens('client', entry.clientOwner, tokens);
    this.addTokens('worker', entry.workerOwner, tokens);
    this.totals.requests += 1;
    this.totals.tokens += tokens;
    this.totals.clientPaidNanoton += entry.clientCostNanoton;
    this.totals.workerEarnedNanoton += entry.workerEarnedNanoton;
    this.totals.proxyCommissionNanoton += entry.proxyCommissionNanoton;
  }

  async clientTotals(owner: string): Promise<LedgerTotals> {
    this.ensureOpen();
    return totalsOf(this.owners.client.get(owner));
  }

  async workerTotals(owner: string): Promise<LedgerTotals> {
    this.ensureOpen();
    return totalsOf(this.owners.worker.get(owner));
  }

  async clients(): Promise<LedgerOwnerTotals[]> {
    this.ensureOpen();
    return this.list('client');
  }

  async workers(): Promise<LedgerOwnerTotals[]> {
    this.ensureOpen();
    return this.list('worker');
  }

  async summary(): Promise<LedgerSummary> {
    this.ensureOpen();
    return { ...this.totals };
  }

  async snapshotForSaveState(): Promise<number> {
    this.ensureOpen();
    const snapshot: SaveStateSnapshot = { client: new Map(), worker: new Map() };
    for (const kind of ['client', 'worker'] as const) {
      for (const [owner, tokens] of this.owners[kind]) {
        if (tokens.tokensMax > tokens.tokensCommittedToBlockchain) snapshot[kind].set(owner, tokens.tokensMax);
      }
    }
    this.seqnos.snapshot += 1;
    this.snapshots.set(this.seqnos.snapshot, snapshot);
    return this.seqnos.snapshot;
  }

  async commitSaveState(seqno: number): Promise<void> {
    this.ensureOpen();
    const snapshot = this.snapshots.get(seqno);
    if (snapshot === undefined || seqno <= this.seqnos.committed) return;
    for (const kind of ['client', 'worker'] as const) {
      for (const [owner, tokensMax] of snapshot[kind]) {
        const tokens = this.owners[kind].get(owner);
        if (tokens !== undefined && tokensMax > tokens.tokensCommittedToBlockchain) tokens.tokensCommittedToBlockchain = tokensMax;
      }
    }
    for (const known of [...this.snapshots.keys()]) if (known <= seqno) this.snapshots.delete(known);
    this.seqnos.committed = seqno;
  }

  async lastSaveStateSeqno(): Promise<LedgerSaveStateSeqnos> {
    this.ensureOpen();
    return { ...this.seqnos };
  }

  async getMeta(key: string): Promise<string | undefined> {
    this.ensureOpen();
    return this.meta.get(key);
  }

  async setMeta(key: string, value: string): Promise<void> {
    this.ensureOpen();
    this.meta.set(key, value);
  }

  async assertNotBehind(kind: LedgerOwnerKind, owner: string, claimed: LedgerPeerClaim): Promise<void> {
    this.ensureOpen();
    assertLedgerNotBehind(kind, owner, totalsOf(this.owners[kind].get(owner)), claimed);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private addTokens(kind: LedgerOwnerKind, owner: string, tokens: bigint): void {
    const current = this.owners[kind].get(owner);
    if (current === undefined) this.owners[kind].set(owner, { tokensMax: tokens, tokensCommittedToBlockchain: 0n });
    else current.tokensMax += tokens;
  }

  private list(kind: LedgerOwnerKind): LedgerOwnerTotals[] {
    return [...this.owners[kind].entries()]
      .sort(([left], [right]) => Buffer.compare(Buffer.from(left), Buffer.from(right)))
      .map(([owner, tokens]) => ({ owner, totals: totalsOf(tokens) }));
  }

  private ensureOpen(): void {
    if (this.closed) throw new CocoonError('CCN_ERR_INTERNAL', 'ledger is closed');
  }
}

function totalsOf(tokens: OwnerTokens | undefined): LedgerTotals {
  if (tokens === undefined) return { ...ZERO_TOTALS };
  return { tokensMax: tokens.tokensMax, tokensCommittedToDb: tokens.tokensMax, tokensCommittedToBlockchain: tokens.tokensCommittedToBlockchain };
}
