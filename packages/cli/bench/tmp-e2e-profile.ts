// TEMPORARY profiling driver (deleted before the report).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuPerRequest, cpuSnapshot } from './bench-cpu.ts';
import { createLoadPool, runLoad } from './bench-load.ts';
import { BenchChildLog, startBenchProcesses } from './bench-processes.ts';
import { summarizeLoad } from './bench-stats.ts';
import { E2E_ANSWER_HEADER, E2E_REQUEST_HEADERS, waitForE2eWorkers } from './bench-e2e.ts';
const prof = process.env.PROF_DIR;
const order = (process.env.ORDER ?? 'chain,e2e,chain,e2e').split(',');
const log = new BenchChildLog();
const SHAPE = { chunkCount: 50, chunkBytes: 128 };
const p = startBenchProcesses({ ...SHAPE, workers: 1, log, nodeArgs: prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [], extraArgs: { client: ['--receipts-dir', mkdtempSync(join(tmpdir(), 'rcpt-'))] } });
try {
  const ep = await p.ready;
  const url = new URL(ep.chain.baseUrl);
  await waitForE2eWorkers(url.origin, 1, 30000, new AbortController().signal);
  console.log('pids', JSON.stringify([...p.pids()]));
  for (const which of order) {
    const t = { name: which, origin: url.origin, path: '/v1/chat/completions', ...(which === 'e2e' ? { headers: E2E_REQUEST_HEADERS, expectHeader: E2E_ANSWER_HEADER } : {}) };
    const pool = createLoadPool(t, 30);
    await runLoad(pool, t, { concurrency: 1, maxRequests: 30, maxDurationMs: 30000 }, SHAPE);
    let b = cpuSnapshot(p.pids());
    const c1 = summarizeLoad(await runLoad(pool, t, { concurrency: 1, maxRequests: Number(process.env.C1 ?? 150), maxDurationMs: 30000 }, SHAPE));
    const c1cpu = cpuPerRequest(b, cpuSnapshot(p.pids()), c1.requests);
    await runLoad(pool, t, { concurrency: 30, maxRequests: 1e6, maxDurationMs: 1000 }, SHAPE);
    b = cpuSnapshot(p.pids());
    const hi = summarizeLoad(await runLoad(pool, t, { concurrency: 30, maxRequests: 1e6, maxDurationMs: Number(process.env.DUR ?? 5000) }, SHAPE));
    const hicpu = cpuPerRequest(b, cpuSnapshot(p.pids()), hi.requests);
    console.log(which.padEnd(6), 'c1 p50', c1.p50Ms, 'p99', c1.p99Ms, 'fail', c1.failures, '| c30 rps', hi.requestsPerSecond, 'p50', hi.p50Ms, 'fail', hi.failures, '| cpu c1', JSON.stringify(c1cpu), 'c30', JSON.stringify(hicpu));
    await pool.close();
  }
} finally {
  await p.stop();
}
