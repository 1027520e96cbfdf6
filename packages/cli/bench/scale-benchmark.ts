/**
 * `npm run bench:scale`: how one proxy holds many workers and streams (docs/protocol.md §9). Runs
 * a real proxy (`cocoon proxy`, its own process, off chain) with `--workers` simulated workers on
 * the real worker protocol, TLS and PoW (several hundred per process), and client processes keeping
 * `--streams` paced streamed requests in flight over several client sessions; then the same with 3
 * proxies (every worker connected to all of them, client sessions spread). Prints one line per
 * run, then ONE JSON object as the last stdout line: the first run's fields at the top level (the
 * 1-proxy run by default), later runs under `proxies_<n>`, `errors` and `meets_targets` over all.
 * "Added" latency is what the client measured minus what the workers' pacing implies: per chunk,
 * arrival − the worker's send stamp; TTFT, first answer − request sent − `--first-chunk-ms`.
 * Flags: --workers (1000) --streams (10000) --proxies (1,3) --duration-s (20) --warmup-s (3)
 * --first-chunk-ms (50) --chunk-interval-ms (1000) --chunks (20) --chunk-bytes (128)
 * --workers-per-process (250) --client-processes (2) --client-sessions (12) --ramp-per-second (1000)
 * --pow-difficulty (12) --dial-concurrency (8) --timeout-s (900) --proxy-cpu-prof-dir DIR (profile the proxies).
 */
import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runScaleScenario, type ScaleResult, type ScaleScenario } from './scale-scenario.ts';

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '1000' },
    streams: { type: 'string', default: '10000' },
    proxies: { type: 'string', default: '1,3' },
    'duration-s': { type: 'string', default: '20' },
    'warmup-s': { type: 'string', default: '3' },
    'first-chunk-ms': { type: 'string', default: '50' },
    'chunk-interval-ms': { type: 'string', default: '1000' },
    chunks: { type: 'string', default: '20' },
    'chunk-bytes': { type: 'string', default: '128' },
    'workers-per-process': { type: 'string', default: '250' },
    'client-processes': { type: 'string', default: '2' },
    'client-sessions': { type: 'string', default: '12' },
    'ramp-per-second': { type: 'string', default: '1000' },
    'pow-difficulty': { type: 'string', default: '12' },
    'dial-concurrency': { type: 'string', default: '8' },
    'timeout-s': { type: 'string', default: '900' },
    'proxy-cpu-prof-dir': { type: 'string' },
  },
});

function number(name: keyof typeof values, minimum: number): number {
  const text = values[name] as string;
  const value = Number(text);
  if (!Number.isFinite(value) || value < minimum) throw new Error(`--${name} must be a number ≥ ${minimum}, got '${text}'`);
  return value;
}

const progress = (line: string): void => void process.stderr.write(`bench:scale: ${line}\n`);
const proxyCounts = values.proxies.split(',').map((text) => {
  const count = Number(text);
  if (!Number.isInteger(count) || count < 1 || count > 8) throw new Error(`--proxies takes counts 1..8 separated by commas, got '${values.proxies}'`);
  return count;
});
const workers = Math.round(number('workers', 1));
const streams = Math.round(number('streams', 1));
const pacing = {
  firstChunkMs: number('first-chunk-ms', 0), chunkIntervalMs: number('chunk-interval-ms', 1), chunkCount: Math.round(number('chunks', 1)), chunkBytes: Math.round(number('chunk-bytes', 64)),
};
const requestTimeoutMs = Math.max(60_000, (pacing.firstChunkMs + pacing.chunkIntervalMs * pacing.chunkCount) * 5);
const base: Omit<ScaleScenario, 'proxies'> = {
  workers, streams, pacing, requestTimeoutMs,
  workersPerProcess: Math.round(number('workers-per-process', 1)),
  clientProcesses: Math.round(number('client-processes', 1)),
  clientSessions: Math.round(number('client-sessions', 1)),
  durationMs: number('duration-s', 1) * 1000,
  warmupMs: number('warmup-s', 0) * 1000,
  rampPerSecond: number('ramp-per-second', 1),
  // Every worker may take a few times its fair share, so selection never runs out of capacity.
  workerMaxActive: Math.max(8, 4 * Math.ceil(streams / workers)),
  dialConcurrency: Math.round(number('dial-concurrency', 1)),
  proxy: {
    powDifficulty: Math.round(number('pow-difficulty', 0)),
    maxUnauthenticatedPerAddress: 4096,
    maxUnauthenticatedConnections: 8192,
    authTimeoutMs: 60_000,
    ...(values['proxy-cpu-prof-dir'] === undefined ? {} : { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${resolve(values['proxy-cpu-prof-dir'])}`] }),
  },
  progress,
};

function describe(result: ScaleResult): string {
  return `${result.proxies} prox${result.proxies === 1 ? 'y' : 'ies'}, ${result.workers} workers (${result.worker_sessions} sessions), ${result.concurrent_streams} streams: `
    + `${result.errors} errors, proxy RSS ${result.proxy_rss_mib} MiB (workers only ${result.proxy_rss_workers_only_mib}), `
    + `${result.proxy_cpu_ms_per_1k_chunks} CPU ms/1k chunks (${result.proxy_cpu_cores} cores at ${result.chunks_per_second} chunks/s), `
    + `added per chunk p50 ${result.p50_added_chunk_ms} / p99 ${result.p99_added_chunk_ms} / max ${result.max_added_chunk_ms} ms, TTFT added p50 ${result.ttft_added_p50_ms} / p99 ${result.ttft_added_p99_ms} ms`;
}

const meets = (result: ScaleResult): boolean => result.errors === 0 && result.proxy_rss_mib <= 1536 && result.p99_added_chunk_ms <= 5;

async function main(): Promise<number> {
  const loadAverage = Math.round((loadavg()[0] ?? 0) * 100) / 100;
  const results: ScaleResult[] = [];
  for (const proxies of proxyCounts) {
    progress(`run: ${proxies} prox${proxies === 1 ? 'y' : 'ies'}, ${workers} workers, ${streams} streams`);
    const result = await runScaleScenario({ ...base, proxies });
    progress(describe(result));
    results.push(result);
  }
  const [first, ...later] = results as [ScaleResult, ...ScaleResult[]];
  const errors = results.reduce((sum, result) => sum + result.errors, 0);
  const json: Record<string, unknown> = {
    ...first,
    ...Object.fromEntries(later.map((result) => [`proxies_${result.proxies}`, result])),
    errors,
    meets_targets: results.every(meets),
    first_chunk_ms: pacing.firstChunkMs, chunk_interval_ms: pacing.chunkIntervalMs, chunks: pacing.chunkCount, chunk_bytes: pacing.chunkBytes,
    pow_difficulty: base.proxy.powDifficulty,
    load_average_1m_at_start: loadAverage, cpu_count: availableParallelism(), node_version: process.version,
  };
  console.log('');
  for (const result of results) console.log(describe(result));
  for (const result of results) for (const example of result.error_examples) console.log(`  error (${result.proxies} prox${result.proxies === 1 ? 'y' : 'ies'}): ${example}`);
  console.log(`targets (≤ 1536 MiB proxy RSS, 0 errors, p99 added per chunk ≤ 5 ms): ${json.meets_targets ? 'met' : 'MISSED'}`);
  console.log(JSON.stringify(json));
  return errors > 0 ? 1 : 0;
}

const watchdog = setTimeout(() => {
  progress(`timed out after ${number('timeout-s', 1)} s`);
  process.exit(1);
}, number('timeout-s', 1) * 1000);
watchdog.unref();

main().then((code) => process.exit(code), (error: unknown) => {
  progress(`failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  process.exit(1);
});
