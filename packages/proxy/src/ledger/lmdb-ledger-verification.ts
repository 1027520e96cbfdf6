/**
 * Open-time audit of the durable ledger: verifies the proxy signature of EVERY record and
 * cross-checks them (owner totals and the summary must equal what the completion records
 * add up to; snapshots must lie in the pending seqno window), so a tampered, foreign,
 * deleted or unknown record makes the ledger refuse to open (CCN_ERR_LEDGER_CORRUPT).
 * Records are read in key order in chunks; large chunks are verified on worker threads.
 */
import type { RootDatabase } from 'lmdb';
import type { LedgerOwnerKind, LedgerSaveStateSeqnos, LedgerSummary } from './ledger.ts';
import { badSignature, corruptRecord, signedMessage, splitStoredRecord, type LedgerRecordSigner } from './ledger-record-signer.ts';
import { SignatureVerifierPool } from './ledger-signature-verifier-pool.ts';
import {
  RECORD_KEY,
  decodeCompletion,
  decodeMeta,
  decodeOwner,
  decodeSeqnos,
  decodeSnapshot,
  decodeSummary,
  type OwnerRecord,
  type SnapshotRecord,
} from './ledger-record-codec.ts';

export interface LedgerAuditResult {
  records: number;
}

const CHUNK_RECORDS = 8192;
/** Chunks smaller than this are verified inline (threads cost more than they save). */
const THREADED_MIN_RECORDS = 256;

/** Reads every record in key order, verified: chunk by chunk, large chunks on `threads` worker threads. */
async function* verifiedRecords(db: RootDatabase<Buffer, string>, signer: LedgerRecordSigner, threads: number): AsyncGenerator<[string, Buffer]> {
  let pool: SignatureVerifierPool | undefined;
  let after: string | undefined;
  try {
    for (;;) {
      const chunk: Array<{ key: string; payload: Buffer; signature: Buffer }> = [];
      for (const { key, value } of db.getRange(after === undefined ? { limit: CHUNK_RECORDS } : { start: after, limit: CHUNK_RECORDS + 1 })) {
        if (typeof key !== 'string') throw corruptRecord(String(key), 'key is not a string');
        if (key === after) continue;
        chunk.push({ key, ...splitStoredRecord(key, value) });
      }
      if (chunk.length === 0) return;
      after = chunk[chunk.length - 1]!.key;
      let valid: boolean[] | undefined;
      if (threads > 1 && chunk.length >= THREADED_MIN_RECORDS) {
        pool ??= new SignatureVerifierPool(signer.publicKeyBytes, threads);
        valid = await pool.verify(chunk.map(({ key, payload, signature }) => ({ message: signedMessage(key, payload), signature })));
      }
      for (const [index, { key, payload, signature }] of chunk.entries()) {
        if (valid === undefined) yield [key, signer.open(key, Buffer.concat([signature, payload]))];
        else if (valid[index] === true) yield [key, payload];
        else throw badSignature(key);
      }
    }
  } finally {
    await pool?.close();
  }
}

export async function auditLedgerRecords(db: RootDatabase<Buffer, string>, signer: LedgerRecordSigner, threads: number): Promise<LedgerAuditResult> {
  const expectedTokens: Record<LedgerOwnerKind, Map<string, bigint>> = { client: new Map(), worker: new Map() };
  const owners: Record<LedgerOwnerKind, Map<string, OwnerRecord>> = { client: new Map(), worker: new Map() };
  const snapshots = new Map<number, { key: string; record: SnapshotRecord }>();
  const expectedSummary: LedgerSummary = { requests: 0, tokens: 0n, clientPaidNanoton: 0n, workerEarnedNanoton: 0n, proxyCommissionNanoton: 0n };
  let summary: LedgerSummary | undefined;
  let seqnos: LedgerSaveStateSeqnos | undefined;
  let records = 0;

  for await (const [key, payload] of verifiedRecords(db, signer, threads)) {
    records += 1;
    const separator = key.indexOf(':');
    const prefix = key.slice(0, separator);
    const name = key.slice(separator + 1);
    if (prefix === 'request') {
      const completion = decodeCompletion(key, payload);
      const tokens = BigInt(completion.tokens.total);
      add(expectedTokens.client, completion.clientOwner, tokens);
      add(expectedTokens.worker, completion.workerOwner, tokens);
      expectedSummary.requests += 1;
      expectedSummary.tokens += tokens;
      expectedSummary.clientPaidNanoton += completion.clientCostNanoton;
      expectedSummary.workerEarnedNanoton += completion.workerEarnedNanoton;
      expectedSummary.proxyCommissionNanoton += completion.proxyCommissionNanoton;
    } else if (prefix === 'client' || prefix === 'worker') {
      owners[prefix].set(name, decodeOwner(key, payload));
    } else if (prefix === 'snapshot' && /^[0-9]{10}$/.test(name)) {
      snapshots.set(Number(name), { key, record: decodeSnapshot(key, payload) });
    } else if (prefix === 'meta') {
      decodeMeta(key, payload);
    } else if (key === RECORD_KEY.summary) {
      summary = decodeSummary(key, payload);
    } else if (key === RECORD_KEY.seqnos) {
      seqnos = decodeSeqnos(key, payload);
    } else {
      throw corruptRecord(key, 'unknown record kind');
    }
  }

  for (const kind of ['client', 'worker'] as const) {
    for (const [owner, record] of owners[kind]) {
      if (record.tokensMax !== (expectedTokens[kind].get(owner) ?? 0n)) {
        throw corruptRecord(RECORD_KEY.owner(kind, owner), 'tokensMax does not match the recorded completions');
      }
    }
    for (const owner of expectedTokens[kind].keys()) {
      if (!owners[kind].has(owner)) throw corruptRecord(RECORD_KEY.owner(kind, owner), 'record is missing for recorded completions');
    }
  }
  if (summary === undefined) {
    if (expectedSummary.requests > 0) throw corruptRecord(RECORD_KEY.summary, 'record is missing for recorded completions');
  } else if (!sameSummary(summary, expectedSummary)) {
    throw corruptRecord(RECORD_KEY.summary, 'does not match the recorded completions');
  }
  const window = seqnos ?? { snapshot: 0, committed: 0 };
  for (const [seqno, { key, record }] of snapshots) {
    if (seqno <= window.committed || seqno > window.snapshot) throw corruptRecord(key, `seqno outside the pending window (${window.committed}, ${window.snapshot}]`);
    for (const kind of ['client', 'worker'] as const) {
      for (const [owner, tokens] of record[kind]) {
        if (tokens > (owners[kind].get(owner)?.tokensMax ?? 0n)) throw corruptRecord(key, `${kind} ${owner} snapshot exceeds its tokensMax`);
      }
    }
  }
  return { records };
}

function add(map: Map<string, bigint>, owner: string, tokens: bigint): void {
  map.set(owner, (map.get(owner) ?? 0n) + tokens);
}

function sameSummary(left: LedgerSummary, right: LedgerSummary): boolean {
  return (
    left.requests === right.requests &&
    left.tokens === right.tokens &&
    left.clientPaidNanoton === right.clientPaidNanoton &&
    left.workerEarnedNanoton === right.workerEarnedNanoton &&
    left.proxyCommissionNanoton === right.proxyCommissionNanoton
  );
}
