/**
 * The ledger the proxy's connections and accounting hold on to across a params migration
 * (§6.7): every call goes to the current instance's ledger; `switchTo` points it at the
 * new instance's ledger (whose totals start at zero). Closing it closes nothing: each
 * instance's ledger is closed by whoever opened it.
 */
import type {
  Ledger, LedgerCompletion, LedgerOwnerKind, LedgerOwnerTotals, LedgerPeerClaim, LedgerSaveStateSeqnos, LedgerSummary, LedgerTotals,
} from '../ledger/index.ts';

export class SwitchableLedger implements Ledger {
  constructor(private target: Ledger) {}

  get current(): Ledger { return this.target; }

  switchTo(ledger: Ledger): void { this.target = ledger; }

  recordCompletion(entry: LedgerCompletion): Promise<void> { return this.target.recordCompletion(entry); }
  clientTotals(owner: string): Promise<LedgerTotals> { return this.target.clientTotals(owner); }
  workerTotals(owner: string): Promise<LedgerTotals> { return this.target.workerTotals(owner); }
  clients(): Promise<LedgerOwnerTotals[]> { return this.target.clients(); }
  workers(): Promise<LedgerOwnerTotals[]> { return this.target.workers(); }
  summary(): Promise<LedgerSummary> { return this.target.summary(); }
  snapshotForSaveState(): Promise<number> { return this.target.snapshotForSaveState(); }
  commitSaveState(seqno: number): Promise<void> { return this.target.commitSaveState(seqno); }
  lastSaveStateSeqno(): Promise<LedgerSaveStateSeqnos> { return this.target.lastSaveStateSeqno(); }
  getMeta(key: string): Promise<string | undefined> { return this.target.getMeta(key); }
  setMeta(key: string, value: string): Promise<void> { return this.target.setMeta(key, value); }
  assertNotBehind(kind: LedgerOwnerKind, owner: string, claimed: LedgerPeerClaim): Promise<void> { return this.target.assertNotBehind(kind, owner, claimed); }
  async close(): Promise<void> {}
}
