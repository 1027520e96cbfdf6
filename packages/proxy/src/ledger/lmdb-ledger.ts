/**
 * LmdbLedger: the durable proxy ledger (§6.4, §15.3) in an LMDB environment directory.
 * Every record is signed with the proxy key and every record is verified (and
 * cross-checked) when the ledger opens. Each write runs in an LMDB transaction (so
 * concurrent calls serialize and a duplicate requestId counts once, also across restarts)
 * and is acknowledged only after the commit is flushed to disk (default durable mode,
 * never noSync). Directory 0700, files 0600.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { open, type RootDatabase } from 'lmdb';
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
import { LEDGER_SIGNATURE_BYTES, LedgerRecordSigner, type LedgerSigningKey } from './ledger-record-signer.ts';
import { RECORD_KEY, decodeMeta, decodeOwner, decodeSeqnos, decodeSnapshot, decodeSummary, encodeRecord, type OwnerRecord, type SnapshotRecord } from './ledger-record-codec.ts';
import { auditLedgerRecords } from './lmdb-ledger-verification.ts';

export interface LmdbLedgerOptions {
  /** Directory of the LMDB environment (created 0700 if missing). */
  path: string;
  /** The proxy's Ed25519 key (see `LedgerSigningKey`). */
  signingKey: LedgerSigningKey;
  /** Unix milliseconds, stamped on snapshots. */
  now?: () => number;
  /** Worker threads verifying signatures at open (default: CPU cores, at most 8; 1 = inline). */
  auditThreads?: number;
}

const MAX_KEY_BYTES = 1000;
const EMPTY_SUMMARY: LedgerSummary = { requests: 0, tokens: 0n, clientPaidNanoton: 0n, workerEarnedNanoton: 0n, proxyCommissionNanoton: 0n };

export class LmdbLedger implements Ledger {
  private readonly pending = new Set<Promise<unknown>>();
  private closed = false;

  private constructor(
    private readonly db: RootDatabase<Buffer, string>,
    private readonly signer: LedgerRecordSigner,
    private readonly now: () => number,
    /** How many records the open-time audit verified. */
    readonly auditedRecords: number,
  ) {}

  /** Opens (or creates) the ledger; throws CCN_ERR_LEDGER_CORRUPT naming the first bad record. */
  static async open(options: LmdbLedgerOptions): Promise<LmdbLedger> {
    const signer = new LedgerRecordSigner(options.signingKey);
    mkdirSync(options.path, { recursive: true, mode: 0o700 });
    chmodSync(options.path, 0o700);
    const db = open<Buffer, string>({ path: options.path, encoding: 'binary', noSubdir: false, compression: false });
    let audited: number;
    try {
      for (const file of ['data.mdb', 'lock.mdb']) chmodSync(join(options.path, file), 0o600);
      audited = (await auditLedgerRecords(db, signer, options.auditThreads ?? Math.min(availableParallelism(), 8))).records;
    } catch (error) {
      await db.close();
      throw error;
    }
    return new LmdbLedger(db, signer, options.now ?? Date.now, audited);
  }

  async recordCompletion(entry: LedgerCompletion): Promise<void> {
    this.ensureOpen();
    assertValidLedgerCompletion(entry);
    checkKeyPart('clientOwner', entry.clientOwner);
    checkKeyPart('workerOwner', entry.workerOwner);
    checkKeyPart('requestId', entry.requestId);
    const requestKey = RECORD_KEY.request(entry.requestId);
    const { requestId: _requestId, ...completion } = entry;
    await this.write(() => {
      if (this.db.doesExist(requestKey)) return;
      const tokens = BigInt(entry.tokens.total);
      const client = this.readOwner('client', entry.clientOwner);
      const worker = this.readOwner('worker', entry.workerOwner);
      const summary = this.readSummary();
      this.put(requestKey, completion);
      this.put(RECORD_KEY.owner('client', entry.clientOwner), { ...client, tokensMax: client.tokensMax + tokens });
      this.put(RECORD_KEY.owner('worker', entry.workerOwner), { ...worker, tokensMax: worker.tokensMax + tokens });
      this.put(RECORD_KEY.summary, {
        requests: summary.requests + 1,
        tokens: summary.tokens + tokens,
        clientPaidNanoton: summary.clientPaidNanoton + entry.clientCostNanoton,
        workerEarnedNanoton: summary.workerEarnedNanoton + entry.workerEarnedNanoton,
        proxyCommissionNanoton: summary.proxyCommissionNanoton + entry.proxyCommissionNanoton,
      });
    });
  }

  /** Whether a completion with this request id is durably recorded. */
  hasCompletion(requestId: string): boolean {
    this.ensureOpen();
    return this.db.doesExist(RECORD_KEY.request(requestId));
  }

  async clientTotals(owner: string): Promise<LedgerTotals> {
    this.ensureOpen();
    return totalsOf(this.readOwner('client', owner));
  }

  async workerTotals(owner: string): Promise<LedgerTotals> {
    this.ensureOpen();
    return totalsOf(this.readOwner('worker', owner));
  }

  async clients(): Promise<LedgerOwnerTotals[]> {
    this.ensureOpen();
    return this.listOwners('client').map(([owner, record]) => ({ owner, totals: totalsOf(record) }));
  }

  async workers(): Promise<LedgerOwnerTotals[]> {
    this.ensureOpen();
    return this.listOwners('worker').map(([owner, record]) => ({ owner, totals: totalsOf(record) }));
  }

  async summary(): Promise<LedgerSummary> {
    this.ensureOpen();
    return this.readSummary();
  }

  async snapshotForSaveState(): Promise<number> {
    this.ensureOpen();
    let seqno = 0;
    await this.write(() => {
      const seqnos = this.readSeqnos();
      seqno = seqnos.snapshot + 1;
      const dirty = (kind: LedgerOwnerKind): Array<[string, bigint]> =>
        this.listOwners(kind)
          .filter(([, record]) => record.tokensMax > record.tokensCommittedToBlockchain)
          .map(([owner, record]) => [owner, record.tokensMax]);
      const snapshot: SnapshotRecord = { client: dirty('client'), worker: dirty('worker') };
      this.put(RECORD_KEY.snapshot(seqno), { ...snapshot, at: this.now() });
      this.put(RECORD_KEY.seqnos, { snapshot: seqno, committed: seqnos.committed });
    });
    return seqno;
  }

  async commitSaveState(seqno: number): Promise<void> {
    this.ensureOpen();
    if (!Number.isSafeInteger(seqno) || seqno < 1) return;
    await this.write(() => {
      const seqnos = this.readSeqnos();
      const snapshotKey = RECORD_KEY.snapshot(seqno);
      const stored = this.db.get(snapshotKey);
      if (seqno <= seqnos.committed || stored === undefined) return;
      const snapshot = decodeSnapshot(snapshotKey, this.payloadOf(stored));
      for (const kind of ['client', 'worker'] as const) {
        for (const [owner, tokensMax] of snapshot[kind]) {
          const record = this.readOwner(kind, owner);
          if (tokensMax > record.tokensCommittedToBlockchain && tokensMax <= record.tokensMax) {
            this.put(RECORD_KEY.owner(kind, owner), { ...record, tokensCommittedToBlockchain: tokensMax });
          }
        }
      }
      const dropped = [...this.db.getKeys({ start: RECORD_KEY.snapshot(0), end: RECORD_KEY.snapshot(seqno + 1) })];
      for (const key of dropped) void this.db.remove(key); // inside the transaction: applied with its commit
      this.put(RECORD_KEY.seqnos, { snapshot: seqnos.snapshot, committed: seqno });
    });
  }

  async lastSaveStateSeqno(): Promise<LedgerSaveStateSeqnos> {
    this.ensureOpen();
    return this.readSeqnos();
  }

  async getMeta(key: string): Promise<string | undefined> {
    this.ensureOpen();
    const recordKey = RECORD_KEY.meta(key);
    const stored = this.db.get(recordKey);
    return stored === undefined ? undefined : decodeMeta(recordKey, this.payloadOf(stored));
  }

  async setMeta(key: string, value: string): Promise<void> {
    this.ensureOpen();
    checkKeyPart('meta key', key);
    await this.write(() => this.put(RECORD_KEY.meta(key), { value }));
  }

  async assertNotBehind(kind: LedgerOwnerKind, owner: string, claimed: LedgerPeerClaim): Promise<void> {
    this.ensureOpen();
    assertLedgerNotBehind(kind, owner, totalsOf(this.readOwner(kind, owner)), claimed);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.pending]);
    await this.db.close();
  }

  /** Runs `body` inside an LMDB write transaction; resolves once that commit is flushed to disk. */
  private async write(body: () => void): Promise<void> {
    const done = (async () => {
      await this.db.transaction(body);
      await this.db.flushed;
    })();
    this.pending.add(done);
    try {
      await done;
    } finally {
      this.pending.delete(done);
    }
  }

  private put(key: string, record: unknown): void {
    void this.db.put(key, this.signer.seal(key, encodeRecord(record))); // inside a transaction: applied with its commit
  }

  /** Records were verified when the ledger opened; reads only strip the signature. */
  private payloadOf(stored: Buffer): Buffer {
    return stored.subarray(LEDGER_SIGNATURE_BYTES);
  }

  private readOwner(kind: LedgerOwnerKind, owner: string): OwnerRecord {
    const key = RECORD_KEY.owner(kind, owner);
    const stored = this.db.get(key);
    return stored === undefined ? { tokensMax: 0n, tokensCommittedToBlockchain: 0n } : decodeOwner(key, this.payloadOf(stored));
  }

  private listOwners(kind: LedgerOwnerKind): Array<[string, OwnerRecord]> {
    const prefix = `${kind}:`;
    const entries: Array<[string, OwnerRecord]> = [];
    for (const { key, value } of this.db.getRange({ start: prefix, end: `${kind};` })) {
      entries.push([key.slice(prefix.length), decodeOwner(key, this.payloadOf(value))]);
    }
    return entries;
  }

  private readSummary(): LedgerSummary {
    const stored = this.db.get(RECORD_KEY.summary);
    return stored === undefined ? { ...EMPTY_SUMMARY } : decodeSummary(RECORD_KEY.summary, this.payloadOf(stored));
  }

  private readSeqnos(): LedgerSaveStateSeqnos {
    const stored = this.db.get(RECORD_KEY.seqnos);
    return stored === undefined ? { snapshot: 0, committed: 0 } : decodeSeqnos(RECORD_KEY.seqnos, this.payloadOf(stored));
  }

  private ensureOpen(): void {
    if (this.closed) throw new CocoonError('CCN_ERR_INTERNAL', 'ledger is closed');
  }
}

function totalsOf(record: OwnerRecord | undefined): LedgerTotals {
  if (record === undefined) return { ...ZERO_TOTALS };
  return { tokensMax: record.tokensMax, tokensCommittedToDb: record.tokensMax, tokensCommittedToBlockchain: record.tokensCommittedToBlockchain };
}

function checkKeyPart(name: string, value: string): void {
  if (Buffer.byteLength(value, 'utf8') > MAX_KEY_BYTES) {
    throw new CocoonError('CCN_ERR_INTERNAL', `${name} is longer than ${MAX_KEY_BYTES} bytes`, { param: name });
  }
}
