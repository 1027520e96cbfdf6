/**
 * Keys and payload encodings of the durable ledger's records (JSON, bigints as decimal
 * strings). Decoders validate the shape and throw CCN_ERR_LEDGER_CORRUPT naming the record.
 *
 * Keys: `request:<id>` (dedupe + the billed entry), `client:<owner>` / `worker:<owner>`
 * (totals), `snapshot:<seqno, 10 digits>` (save-state snapshots), `meta:<key>`,
 * `state:summary`, `state:seqnos`.
 */
import type { LedgerCompletion, LedgerOwnerKind, LedgerSaveStateSeqnos, LedgerSummary } from './ledger.ts';
import { corruptRecord } from './ledger-record-signer.ts';

export const RECORD_KEY = {
  request: (requestId: string): string => `request:${requestId.toLowerCase()}`,
  owner: (kind: LedgerOwnerKind, owner: string): string => `${kind}:${owner}`,
  snapshot: (seqno: number): string => `snapshot:${seqno.toString().padStart(10, '0')}`,
  meta: (key: string): string => `meta:${key}`,
  summary: 'state:summary',
  seqnos: 'state:seqnos',
} as const;

export type CompletionRecord = Omit<LedgerCompletion, 'requestId'>;

export interface OwnerRecord {
  tokensMax: bigint;
  tokensCommittedToBlockchain: bigint;
}

/** Per kind, owner → tokensMax at snapshot time (only owners not yet fully committed). */
export type SnapshotRecord = Record<LedgerOwnerKind, Array<[string, bigint]>>;

export function encodeRecord(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item)), 'utf8');
}

/** Reads a payload as a JSON object with typed field accessors; any mismatch is corruption. */
export class RecordReader {
  private readonly fields: Record<string, unknown>;

  constructor(private readonly key: string, payload: Buffer) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload.toString('utf8'));
    } catch {
      throw corruptRecord(key, 'payload is not JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw corruptRecord(key, 'payload is not an object');
    this.fields = parsed as Record<string, unknown>;
  }

  raw(name: string): unknown {
    return this.fields[name];
  }

  string(name: string): string {
    const value = this.fields[name];
    if (typeof value !== 'string') throw this.bad(name);
    return value;
  }

  integer(name: string): number {
    const value = this.fields[name];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw this.bad(name);
    return value;
  }

  bigint(name: string): bigint {
    return parseAmount(this.fields[name], () => this.bad(name));
  }

  bad(name: string): Error {
    return corruptRecord(this.key, `field ${name} is malformed`);
  }
}

function parseAmount(value: unknown, fail: () => Error): bigint {
  if (typeof value !== 'string' || !/^(0|[1-9][0-9]*)$/.test(value)) throw fail();
  return BigInt(value);
}

export function decodeCompletion(key: string, payload: Buffer): CompletionRecord {
  const reader = new RecordReader(key, payload);
  const tokens = new RecordReader(key, encodeRecord(reader.raw('tokens')));
  return {
    clientOwner: reader.string('clientOwner'),
    workerOwner: reader.string('workerOwner'),
    tokens: {
      prompt: tokens.integer('prompt'),
      cached: tokens.integer('cached'),
      completion: tokens.integer('completion'),
      reasoning: tokens.integer('reasoning'),
      total: tokens.integer('total'),
    },
    clientCostNanoton: reader.bigint('clientCostNanoton'),
    workerEarnedNanoton: reader.bigint('workerEarnedNanoton'),
    proxyCommissionNanoton: reader.bigint('proxyCommissionNanoton'),
    at: reader.integer('at'),
  };
}

export function decodeOwner(key: string, payload: Buffer): OwnerRecord {
  const reader = new RecordReader(key, payload);
  const record = { tokensMax: reader.bigint('tokensMax'), tokensCommittedToBlockchain: reader.bigint('tokensCommittedToBlockchain') };
  if (record.tokensCommittedToBlockchain > record.tokensMax) throw corruptRecord(key, 'committed to blockchain exceeds tokensMax');
  return record;
}

export function decodeSnapshot(key: string, payload: Buffer): SnapshotRecord {
  const reader = new RecordReader(key, payload);
  const list = (kind: LedgerOwnerKind): Array<[string, bigint]> => {
    const value = reader.raw(kind);
    if (!Array.isArray(value)) throw reader.bad(kind);
    return value.map((pair: unknown): [string, bigint] => {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string') throw reader.bad(kind);
      return [pair[0], parseAmount(pair[1], () => reader.bad(kind))];
    });
  };
  return { client: list('client'), worker: list('worker') };
}

export function decodeSummary(key: string, payload: Buffer): LedgerSummary {
  const reader = new RecordReader(key, payload);
  return {
    requests: reader.integer('requests'),
    tokens: reader.bigint('tokens'),
    clientPaidNanoton: reader.bigint('clientPaidNanoton'),
    workerEarnedNanoton: reader.bigint('workerEarnedNanoton'),
    proxyCommissionNanoton: reader.bigint('proxyCommissionNanoton'),
  };
}

export function decodeSeqnos(key: string, payload: Buffer): LedgerSaveStateSeqnos {
  const reader = new RecordReader(key, payload);
  const seqnos = { snapshot: reader.integer('snapshot'), committed: reader.integer('committed') };
  if (seqnos.committed > seqnos.snapshot) throw corruptRecord(key, 'committed seqno exceeds snapshot seqno');
  return seqnos;
}

export function decodeMeta(key: string, payload: Buffer): string {
  return new RecordReader(key, payload).string('value');
}
