/**
 * The client runner's durable receipt store (§22): one LMDB record per end-to-end request, keyed
 * `e2e_<request id hex>`, holding the request, the worker's receipt (verified or not) and the proxy's
 * charge for it (see e2e-request-record.ts). Records are written through (a write resolves once LMDB
 * committed it) and the recent ones stay in memory, so a charge that arrives right after the answer
 * finds its request. The counts for /jsonstats are kept as records change; the audit reads every
 * record. Nothing is ever deleted. Directory 0700, files 0600.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RootDatabase } from 'lmdb';
import { CocoonError } from '@cocoon/protocol';
import { addToReport, emptyReport, findingOf } from './e2e-request-record.ts';
import type { E2eAuditReport, E2eRequestRecord, E2eStoredCharge, E2eStoredReceipt } from './e2e-request-record.ts';

const KEY_PREFIX = 'e2e_';
/** Records kept in memory (the newest), besides LMDB. */
const CACHED_RECORDS = 4096;

export interface E2eReceiptCounts {
  requests: number;
  receipts: number;
  findings: number;
}

export class E2eReceiptStore {
  private readonly cache = new Map<string, E2eRequestRecord>();
  /** Records changed in this turn whose put is queued: one LMDB put per record per turn, with its latest state. */
  private readonly queued = new Map<string, { record: E2eRequestRecord; put: Promise<void> }>();
  /** Records known in memory whose latest state LMDB has not committed yet (queued or in flight): the audit counts them too. */
  private readonly uncommitted = new Map<string, E2eRequestRecord>();
  private readonly counts: E2eReceiptCounts = { requests: 0, receipts: 0, findings: 0 };
  private closed = false;

  private constructor(private readonly db: RootDatabase<E2eRequestRecord, string>) {
    for (const { value } of db.getRange({ start: KEY_PREFIX, end: `${KEY_PREFIX}~` })) this.count(value, 1);
  }

  /**
   * Opens (creating) the store; CCN_ERR_CONFIG_INVALID naming `receipts_dir` when the directory cannot be used.
   * lmdb (a native module) is loaded here, not when @cocoon/client is imported.
   */
  static async open(path: string): Promise<E2eReceiptStore> {
    let db: RootDatabase<E2eRequestRecord, string>;
    try {
      const { open } = await import('lmdb');
      mkdirSync(path, { recursive: true, mode: 0o700 });
      chmodSync(path, 0o700);
      db = open<E2eRequestRecord, string>({ path, encoding: 'json', noSubdir: false, compression: false });
    } catch (error) {
      throw new CocoonError('CCN_ERR_CONFIG_INVALID', `cannot open the receipt store at ${path}: ${error instanceof Error ? error.message : String(error)}`, { param: 'receipts_dir', cause: error });
    }
    try {
      for (const file of ['data.mdb', 'lock.mdb']) chmodSync(join(path, file), 0o600);
      return new E2eReceiptStore(db);
    } catch (error) {
      void db.close();
      throw error;
    }
  }

  /** Counts for /jsonstats. */
  json(): E2eReceiptCounts {
    return { ...this.counts };
  }

  has(requestIdHex: string): boolean {
    return this.get(requestIdHex) !== undefined;
  }

  get(requestIdHex: string): E2eRequestRecord | undefined {
    const id = requestIdHex.toLowerCase();
    return this.cache.get(id) ?? this.db.get(KEY_PREFIX + id);
  }

  /** A new request, before it goes out; CCN_ERR_E2E_REPLAYED when the id is already known. Resolves once committed. */
  async begin(record: Omit<E2eRequestRecord, 'outcome' | 'error' | 'receipt' | 'charge'>): Promise<void> {
    await this.admit(record);
  }

  /**
   * begin without waiting for the disk: throws CCN_ERR_E2E_REPLAYED at once when the id is known, else the
   * record is known (in memory) from now on, and the returned promise is its LMDB commit. The caller sends
   * while LMDB commits and fails the request if the commit fails.
   */
  admit(record: Omit<E2eRequestRecord, 'outcome' | 'error' | 'receipt' | 'charge'>): Promise<void> {
    if (this.closed) throw new CocoonError('CCN_ERR_INTERNAL', 'the receipt store is closed');
    if (this.has(record.request_id)) throw new CocoonError('CCN_ERR_E2E_REPLAYED', `end-to-end request ${record.request_id} was sent before`);
    return this.write(undefined, { ...record, outcome: 'pending', error: null, receipt: null, charge: null });
  }

  async setReceipt(requestIdHex: string, receipt: E2eStoredReceipt): Promise<void> {
    await this.update(requestIdHex, (record) => ({ ...record, receipt }));
  }

  async finish(requestIdHex: string, error: { code: string; message: string } | null): Promise<void> {
    await this.update(requestIdHex, (record) => ({ ...record, outcome: error ? 'failed' : 'ok', error }));
  }

  /** The proxy's charge for a request (proxy.clientRequestPayment); ignored for ids that are not e2e requests. */
  async recordCharge(requestIdHex: string, charge: E2eStoredCharge): Promise<void> {
    await this.update(requestIdHex, (record) => ({ ...record, charge }));
  }

  /** Every record's contribution: totals and findings. */
  audit(): E2eAuditReport {
    const report = emptyReport();
    const seen = new Set<string>();
    for (const { key, value } of this.db.getRange({ start: KEY_PREFIX, end: `${KEY_PREFIX}~` })) {
      const id = key.slice(KEY_PREFIX.length);
      seen.add(id);
      addToReport(report, this.uncommitted.get(id) ?? this.cache.get(id) ?? value);
    }
    for (const [id, record] of this.uncommitted) if (!seen.has(id)) addToReport(report, record); // admitted, not on disk yet
    return report;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.queued.values()].map((entry) => entry.put));
    await this.db.close();
  }

  /** Changes a known record; nothing once closed (a charge that arrives while the runner shuts down). */
  private async update(requestIdHex: string, change: (record: E2eRequestRecord) => E2eRequestRecord): Promise<void> {
    if (this.closed) return;
    const before = this.get(requestIdHex);
    if (!before) return;
    await this.write(before, change(before));
  }

  /**
   * Changes a record in memory now and puts it to LMDB; resolves once committed. Changes of one record in
   * the same turn (the receipt and the end of a request) share one put of the latest state.
   */
  private async write(before: E2eRequestRecord | undefined, after: E2eRequestRecord): Promise<void> {
    if (this.closed) throw new CocoonError('CCN_ERR_INTERNAL', 'the receipt store is closed');
    if (before) this.count(before, -1);
    this.count(after, 1);
    const id = after.request_id;
    this.cache.delete(id);
    this.cache.set(id, after);
    if (this.cache.size > CACHED_RECORDS) this.cache.delete(this.cache.keys().next().value!);
    this.uncommitted.set(id, after);
    const queued = this.queued.get(id);
    if (queued) {
      queued.record = after;
      return queued.put;
    }
    const entry = { record: after, put: Promise.resolve() };
    entry.put = Promise.resolve().then(async () => {
      this.queued.delete(id);
      const written = entry.record;
      try {
        await this.db.put(KEY_PREFIX + id, written);
      } finally {
        if (this.uncommitted.get(id) === written) this.uncommitted.delete(id);
      }
    });
    this.queued.set(id, entry);
    return entry.put;
  }

  private count(record: E2eRequestRecord, sign: 1 | -1): void {
    this.counts.requests += sign;
    if (record.receipt?.verified) this.counts.receipts += sign;
    if (findingOf(record)) this.counts.findings += sign;
  }
}
