/**
 * Durable ledger benchmark: LmdbLedger.recordCompletion throughput (each call resolves only
 * after its commit is flushed to disk) sequentially and with N concurrent callers, plus a
 * save-state snapshot/commit and the open-time integrity audit over the resulting records
 * (inline, then on min(cores, 8) worker threads).
 * Usage: node --import tsx packages/proxy/bench/ledger-benchmark.ts [--sequential 2000]
 *        [--concurrent 8000] [--callers 32] [--dir DIR]. Prints ONE JSON line on stdout.
 */
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LmdbLedger, type LedgerCompletion, type LedgerSigningKey } from '../src/ledger/index.ts';

const { values } = parseArgs({
  options: {
    sequential: { type: 'string', default: '2000' },
    concurrent: { type: 'string', default: '8000' },
    callers: { type: 'string', default: '32' },
    dir: { type: 'string' },
  },
});
const sequentialCount = Number(values.sequential);
const concurrentCount = Number(values.concurrent);
const callers = Number(values.callers);

function proxyKey(): LedgerSigningKey {
  const secretKey = randomBytes(32);
  const privateKey = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), secretKey]), format: 'der', type: 'pkcs8' });
  return { publicKey: Buffer.from(createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(12)), secretKey };
}

let sequence = 0;
function completion(): LedgerCompletion {
  sequence += 1;
  const total = (sequence % 1000) + 1;
  return {
    requestId: sequence.toString(16).padStart(32, '0'),
    clientOwner: `client-${sequence % 100}`,
    workerOwner: `worker-${sequence % 10}`,
    tokens: { prompt: total, cached: 0, completion: 0, reasoning: 0, total },
    clientCostNanoton: BigInt(total) * 20n,
    workerEarnedNanoton: BigInt(total) * 19n,
    proxyCommissionNanoton: BigInt(total),
    at: Date.now(),
  };
}

async function timed(body: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await body();
  return performance.now() - started;
}

const root = mkdtempSync(join(values.dir ?? tmpdir(), 'cocoon-ledger-bench-'));
const path = join(root, 'ledger');
const signingKey = proxyKey();
try {
  const ledger = await LmdbLedger.open({ path, signingKey });
  const sequentialMs = await timed(async () => {
    for (let index = 0; index < sequentialCount; index += 1) await ledger.recordCompletion(completion());
  });
  const concurrentMs = await timed(async () => {
    let remaining = concurrentCount;
    const caller = async (): Promise<void> => {
      while (remaining > 0) {
        remaining -= 1;
        await ledger.recordCompletion(completion());
      }
    };
    await Promise.all(Array.from({ length: callers }, caller));
  });
  let seqno = 0;
  const snapshotMs = await timed(async () => {
    seqno = await ledger.snapshotForSaveState();
  });
  const commitMs = await timed(() => ledger.commitSaveState(seqno));
  const summary = await ledger.summary();
  await ledger.close();
  let reopened: LmdbLedger | undefined;
  const openAuditInlineMs = await timed(async () => {
    reopened = await LmdbLedger.open({ path, signingKey, auditThreads: 1 });
  });
  await reopened?.close();
  const auditThreads = Math.min(availableParallelism(), 8);
  const openAuditMs = await timed(async () => {
    reopened = await LmdbLedger.open({ path, signingKey, auditThreads });
  });
  await reopened?.close();
  const round = (value: number): number => Math.round(value * 10) / 10;
  console.log(JSON.stringify({
    benchmark: 'ledger-lmdb',
    sequentialCompletions: sequentialCount,
    sequentialPerSecond: Math.round((sequentialCount / sequentialMs) * 1000),
    sequentialMeanLatencyMs: round(sequentialMs / sequentialCount),
    concurrentCallers: callers,
    concurrentCompletions: concurrentCount,
    concurrentPerSecond: Math.round((concurrentCount / concurrentMs) * 1000),
    recordedRequests: summary.requests,
    snapshotMs: round(snapshotMs),
    commitSaveStateMs: round(commitMs),
    openAuditInlineMs: round(openAuditInlineMs),
    auditThreads,
    openAuditMs: round(openAuditMs),
    openAuditRecords: reopened?.auditedRecords,
  }));
} finally {
  rmSync(root, { recursive: true, force: true });
}
