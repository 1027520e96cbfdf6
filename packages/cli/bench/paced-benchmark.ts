/**
 * The paced shape of `npm run bench` (docs/protocol.md §9): a test engine that answers like a model
 * streaming tokens — the answer (role event) after 50 ms, then one content chunk every 10 ms — measured
 * directly and through client → proxy → worker at concurrency 1 and 100. What it reports per target:
 * added TTFT (first body byte − the 50 ms the engine waits) and added per-chunk latency (each content
 * chunk's arrival − its scheduled offset), p50 and p99. The direct row shows the engine's and load
 * generator's own jitter; the chain row minus it is the network's overhead.
 */
import { createLoadPool, runLoad, type LoadTarget, type StreamShape } from './bench-load.ts';
import { startBenchProcesses, type BenchChildLog, type BenchProcesses } from './bench-processes.ts';
import { summarizeLoad, type LoadSummary, type TableRow } from './bench-stats.ts';

export const PACED_SHAPE: StreamShape = { chunkCount: 20, chunkBytes: 16, pacing: { responseDelayMs: 50, chunkDelayMs: 10 } };
const C1_WARMUP = 5;
const HIGH_WARMUP_MS = 1000;

export interface PacedPlan {
  c1Requests: number;
  concurrency: number;
  durationMs: number;
  workers: number;
  log: BenchChildLog;
  nodeArgs: string[];
  signal: AbortSignal;
  progress(line: string): void;
  /** Receives the processes as soon as they start (so a SIGINT can stop them). */
  onProcesses(processes: BenchProcesses): void;
}

export interface PacedResult {
  rows: TableRow[];
  failures: number;
  json: Record<string, number>;
  lines: string[];
}

const round = (value: number): number => Math.round(value * 1000) / 1000;

function pacedFields(name: string, concurrency: string, summary: LoadSummary): Record<string, number> {
  const delay = PACED_SHAPE.pacing!.responseDelayMs;
  const prefix = `paced_${name}_${concurrency}`;
  return {
    [`${prefix}_ttft_added_p50_ms`]: round(summary.ttftP50Ms - delay),
    [`${prefix}_ttft_added_p99_ms`]: round(summary.ttftP99Ms - delay),
    [`${prefix}_chunk_added_p50_ms`]: summary.chunkLateP50Ms,
    [`${prefix}_chunk_added_p99_ms`]: summary.chunkLateP99Ms,
    [`${prefix}_requests`]: summary.requests,
    [`${prefix}_failures`]: summary.failures,
  };
}

/** Starts a paced engine and chain, measures direct and chain at c=1 and c=`concurrency`, stops them. */
export async function runPacedBenchmark(plan: PacedPlan): Promise<PacedResult> {
  const processes = startBenchProcesses({
    ...PACED_SHAPE, pacing: PACED_SHAPE.pacing!, workers: plan.workers, log: plan.log, nodeArgs: plan.nodeArgs,
    // One worker serves every concurrent stream of the c=100 phase.
    extraArgs: { worker: ['--max-active-requests', `${Math.max(256, plan.concurrency * 2)}`] },
  });
  plan.onProcesses(processes);
  try {
    const endpoints = await processes.ready;
    const chainUrl = new URL(endpoints.chain.baseUrl);
    const targets: LoadTarget[] = [
      { name: 'direct', origin: endpoints.engineUrl, path: '/v1/chat/completions' },
      { name: 'chain', origin: chainUrl.origin, path: `${chainUrl.pathname.replace(/\/$/, '')}/chat/completions` },
    ];
    const rows: TableRow[] = [];
    const json: Record<string, number> = {};
    const lines: string[] = [];
    for (const target of targets) {
      const pool = createLoadPool(target, plan.concurrency);
      try {
        await runLoad(pool, target, { concurrency: 1, maxRequests: C1_WARMUP, maxDurationMs: 10_000 }, PACED_SHAPE, plan.signal);
        const c1 = summarizeLoad(await runLoad(pool, target, { concurrency: 1, maxRequests: plan.c1Requests, maxDurationMs: 60_000 }, PACED_SHAPE, plan.signal));
        await runLoad(pool, target, { concurrency: plan.concurrency, maxRequests: 1_000_000, maxDurationMs: HIGH_WARMUP_MS }, PACED_SHAPE, plan.signal);
        const high = summarizeLoad(await runLoad(pool, target, { concurrency: plan.concurrency, maxRequests: 1_000_000, maxDurationMs: plan.durationMs }, PACED_SHAPE, plan.signal));
        plan.progress(`paced ${target.name}: c=1 TTFT p50 ${c1.ttftP50Ms} ms; c=${plan.concurrency} ${high.failures} failures`);
        rows.push({ target: `${target.name}~paced`, concurrency: 1, summary: c1 }, { target: `${target.name}~paced`, concurrency: plan.concurrency, summary: high });
        Object.assign(json, pacedFields(target.name, 'c1', c1), pacedFields(target.name, `c${plan.concurrency}`, high));
        for (const [concurrency, summary] of [[1, c1], [plan.concurrency, high]] as const) {
          lines.push(`  ${target.name.padEnd(6)} c=${String(concurrency).padEnd(3)} TTFT added p50 ${(summary.ttftP50Ms - PACED_SHAPE.pacing!.responseDelayMs).toFixed(2)} / p99 ${(summary.ttftP99Ms - PACED_SHAPE.pacing!.responseDelayMs).toFixed(2)} ms; per chunk added p50 ${summary.chunkLateP50Ms.toFixed(2)} / p99 ${summary.chunkLateP99Ms.toFixed(2)} ms`);
        }
      } finally {
        await pool.close();
      }
    }
    const failures = rows.reduce((sum, row) => sum + row.summary.failures, 0);
    return { rows, failures, json, lines };
  } finally {
    await processes.stop();
  }
}
