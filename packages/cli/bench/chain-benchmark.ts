/**
 * `npm run bench`: the COCOON network-overhead benchmark (cf. the reference benchmark, §9).
 * One run measures three targets, each behind its own processes:
 *   direct — straight to the test engine (50 SSE chunks of 128 B + usage + [DONE]),
 *   relay  — through a bare one-hop Node keep-alive reverse proxy (baseline of one hop),
 *   chain  — through client → proxy → worker (startDevNetwork, real child processes).
 * At concurrency 1 and 30: p50/p90/p99 whole-request latency, p50 time to first body
 * byte, req/s, failures. Prints a table, then ONE JSON object as the last stdout line.
 * Then the paced shape (paced-benchmark.ts: answer after 50 ms, a chunk every 10 ms): added TTFT and
 * per-chunk latency p50/p99, directly and through the chain, at c=1 and c=100 (extra rows and
 * `paced_*` JSON fields).
 * And the E2E variant (bench-e2e.ts): target `chain-e2e`, the same chain and requests with `X-Cocoon-E2E:
 * require` (the client runner seals to the worker's verified evidence, opens chunks, checks and stores
 * receipts), compared with the plaintext chain: added p50/p99 at c=1, req/s at c=30, CPU and bytes
 * per request (`e2e_*` JSON fields). `--e2e false` leaves it out.
 * Flags: --duration-s (c=30 phase, default 10) --c1-requests (200) --workers (1)
 * --concurrency (30) --timeout-s (240) --cpu-prof-dir DIR (profile every child)
 * --paced-c1-requests (40) --paced-concurrency (100) --paced-duration-s (8).
 */
import { setMaxListeners } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cpuPerRequest, cpuSnapshot } from './bench-cpu.ts';
import { E2E_ANSWER_HEADER, E2E_REQUEST_HEADERS, E2E_TARGET_NAME, byteSnapshot, bytesPerRequest, e2eComparison, waitForE2eWorkers } from './bench-e2e.ts';
import type { ByteSnapshot, BytesPerRequest } from './bench-e2e.ts';
import { createLoadPool, runLoad, type LoadTarget, type StreamShape } from './bench-load.ts';
import { BenchChildLog, startBenchProcesses, type BenchProcesses } from './bench-processes.ts';
import { formatTable, summarizeLoad, type LoadSummary, type TableRow } from './bench-stats.ts';
import { PACED_SHAPE, runPacedBenchmark } from './paced-benchmark.ts';

const { values } = parseArgs({
  options: {
    'duration-s': { type: 'string', default: '10' },
    'c1-requests': { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '30' },
    workers: { type: 'string', default: '1' },
    'timeout-s': { type: 'string', default: '240' },
    'paced-c1-requests': { type: 'string', default: '40' },
    'paced-concurrency': { type: 'string', default: '100' },
    'paced-duration-s': { type: 'string', default: '8' },
    'cpu-prof-dir': { type: 'string' },
    e2e: { type: 'string', default: 'true' },
  },
});
const positive = (text: string, name: string): number => {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got '${text}'`);
  return value;
};
const durationMs = positive(values['duration-s'], 'duration-s') * 1000;
const c1Requests = Math.round(positive(values['c1-requests'], 'c1-requests'));
const highConcurrency = Math.round(positive(values.concurrency, 'concurrency'));
const workers = Math.round(positive(values.workers, 'workers'));
const timeoutMs = positive(values['timeout-s'], 'timeout-s') * 1000;
const profileDir = values['cpu-prof-dir'];
const pacedC1Requests = Math.round(positive(values['paced-c1-requests'], 'paced-c1-requests'));
const pacedConcurrency = Math.round(positive(values['paced-concurrency'], 'paced-concurrency'));
const pacedDurationMs = positive(values['paced-duration-s'], 'paced-duration-s') * 1000;
if (values.e2e !== 'true' && values.e2e !== 'false') throw new Error(`--e2e must be true or false, got '${values.e2e}'`);
const withE2e = values.e2e === 'true';

const SHAPE: StreamShape = { chunkCount: 50, chunkBytes: 128 };
const C1_WARMUP = 30;
const HIGH_WARMUP_MS = 1500;
const HIGH_MAX_REQUESTS = 1_000_000;
const progress = (line: string): void => void process.stderr.write(`bench: ${line}\n`);

const log = new BenchChildLog();
const abort = new AbortController();
// Every in-flight request listens on the signal.
setMaxListeners(Math.max(highConcurrency, pacedConcurrency) * 2 + 16, abort.signal);
let processes: BenchProcesses | undefined;

interface TargetResult {
  c1: LoadSummary;
  high: LoadSummary;
  /** CPU ms per request of every process during the measured c=1 and c=high phases. */
  c1Cpu: Record<string, number>;
  highCpu: Record<string, number>;
  /** Chain targets: the client runner's and the proxy's bytes per request during the c=1 phase. */
  bytes?: BytesPerRequest;
}

async function measureTarget(target: LoadTarget, pids: () => Map<string, number>, bytes?: () => Promise<ByteSnapshot>): Promise<TargetResult> {
  const pool = createLoadPool(target, highConcurrency);
  try {
    abort.signal.throwIfAborted();
    await runLoad(pool, target, { concurrency: 1, maxRequests: C1_WARMUP, maxDurationMs: 30_000 }, SHAPE, abort.signal);
    const bytesBefore = await bytes?.();
    const c1Before = cpuSnapshot(pids());
    const c1 = summarizeLoad(await runLoad(pool, target, { concurrency: 1, maxRequests: c1Requests, maxDurationMs: 30_000 }, SHAPE, abort.signal));
    const c1Cpu = cpuPerRequest(c1Before, cpuSnapshot(pids()), c1.requests);
    const bytesAfter = await bytes?.();
    const perRequestBytes = bytesBefore && bytesAfter ? bytesPerRequest(bytesBefore, bytesAfter, c1.requests) : undefined;
    abort.signal.throwIfAborted();
    progress(`${target.name} c=1: p50 ${c1.p50Ms} ms, ${c1.failures} failures`);
    await runLoad(pool, target, { concurrency: highConcurrency, maxRequests: HIGH_MAX_REQUESTS, maxDurationMs: HIGH_WARMUP_MS }, SHAPE, abort.signal);
    const before = cpuSnapshot(pids());
    const high = summarizeLoad(await runLoad(pool, target, { concurrency: highConcurrency, maxRequests: HIGH_MAX_REQUESTS, maxDurationMs: durationMs }, SHAPE, abort.signal));
    const highCpu = cpuPerRequest(before, cpuSnapshot(pids()), high.requests);
    abort.signal.throwIfAborted();
    progress(`${target.name} c=${highConcurrency}: ${high.requestsPerSecond} req/s, ${high.failures} failures`);
    return { c1, high, c1Cpu, highCpu, ...(perRequestBytes ? { bytes: perRequestBytes } : {}) };
  } finally {
    await pool.close();
  }
}

function resultFields(name: string, concurrency: string, summary: LoadSummary): Record<string, number> {
  const prefix = `${name.replaceAll('-', '_')}_${concurrency}`;
  return {
    [`${prefix}_p50_ms`]: summary.p50Ms,
    [`${prefix}_p90_ms`]: summary.p90Ms,
    [`${prefix}_p99_ms`]: summary.p99Ms,
    [`${prefix}_ttft_p50_ms`]: summary.ttftP50Ms,
    [`${prefix}_rps`]: summary.requestsPerSecond,
    [`${prefix}_requests`]: summary.requests,
    [`${prefix}_failures`]: summary.failures,
  };
}

const loadAverageAtStart = Math.round((loadavg()[0] ?? 0) * 100) / 100;

async function main(): Promise<number> {
  const nodeArgs = profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${resolve(profileDir)}`];
  progress(`starting test engine, relay and chain (${workers} worker${workers === 1 ? '' : 's'})…`);
  // The client runner's receipt store (LMDB) for the e2e requests: a fresh directory, removed at the end.
  const receiptsDir = mkdtempSync(join(tmpdir(), 'cocoon-bench-receipts-'));
  process.on('exit', () => rmSync(receiptsDir, { recursive: true, force: true }));
  processes = startBenchProcesses({ ...SHAPE, workers, log, nodeArgs, extraArgs: { client: ['--receipts-dir', receiptsDir] } });
  const endpoints = await processes.ready;
  const chainUrl = new URL(endpoints.chain.baseUrl);
  const targets: LoadTarget[] = [
    { name: 'direct', origin: endpoints.engineUrl, path: '/v1/chat/completions' },
    { name: 'relay', origin: endpoints.relayUrl, path: '/v1/chat/completions' },
    { name: 'chain', origin: chainUrl.origin, path: `${chainUrl.pathname.replace(/\/$/, '')}/chat/completions` },
  ];
  if (withE2e) targets.push({ ...targets[2]!, name: E2E_TARGET_NAME, headers: E2E_REQUEST_HEADERS, expectHeader: E2E_ANSWER_HEADER });
  const results: Record<string, TargetResult> = {};
  const childDied = endpoints.childDied.then((exit) => {
    throw new Error(`chain child ${exit.name} died during the benchmark`);
  });
  childDied.catch(() => {});
  const running = processes;
  const bytes = (): Promise<ByteSnapshot> => byteSnapshot(chainUrl.origin, running.pids().get('proxy'));
  for (const target of targets) {
    if (target.name === E2E_TARGET_NAME) {
      progress('waiting until the client runner has verified the worker\'s e2e evidence…');
      await waitForE2eWorkers(chainUrl.origin, workers, 30_000, abort.signal);
    }
    const isChain = target.origin === chainUrl.origin;
    results[target.name] = await Promise.race([measureTarget(target, running.pids, isChain ? bytes : undefined), childDied]);
  }
  await processes.stop();
  progress(`paced shape: answer after ${PACED_SHAPE.pacing!.responseDelayMs} ms, a chunk every ${PACED_SHAPE.pacing!.chunkDelayMs} ms (c=1 and c=${pacedConcurrency})…`);
  const paced = await runPacedBenchmark({
    c1Requests: pacedC1Requests, concurrency: pacedConcurrency, durationMs: pacedDurationMs, workers, log, nodeArgs, signal: abort.signal, progress,
    onProcesses: (started) => { processes = started; },
  });

  const rows: TableRow[] = targets.flatMap((target) => {
    const result = results[target.name];
    if (!result) return [];
    return [{ target: target.name, concurrency: 1, summary: result.c1 }, { target: target.name, concurrency: highConcurrency, summary: result.high }];
  });
  const failures = rows.reduce((sum, row) => sum + row.summary.failures, 0) + paced.failures;
  const get = (name: string): TargetResult => results[name] as TargetResult;
  const [direct, relay, chain] = [get('direct'), get('relay'), get('chain')];
  const round = (value: number): number => Math.round(value * 1000) / 1000;
  const json: Record<string, unknown> = {
    ...Object.fromEntries(targets.flatMap((target) => [...Object.entries(resultFields(target.name, 'c1', get(target.name).c1)), ...Object.entries(resultFields(target.name, 'c30', get(target.name).high))])),
    ...Object.fromEntries(targets.flatMap((target) => Object.entries(get(target.name).highCpu)
      .filter(([, ms]) => ms > 0)
      .map(([process, ms]) => [`${target.name.replaceAll('-', '_')}_c30_cpu_ms_per_req_${process.replaceAll('-', '_')}`, ms]))),
    chain_vs_direct_c30_ratio: round(chain.high.requestsPerSecond / direct.high.requestsPerSecond),
    relay_vs_direct_c30_ratio: round(relay.high.requestsPerSecond / direct.high.requestsPerSecond),
    chain_added_c1_p50_ms: round(chain.c1.p50Ms - direct.c1.p50Ms),
    relay_added_c1_p50_ms: round(relay.c1.p50Ms - direct.c1.p50Ms),
    chain_added_c1_ttft_p50_ms: round(chain.c1.ttftP50Ms - direct.c1.ttftP50Ms),
    high_concurrency: highConcurrency,
    chain_workers: workers,
    failures,
    direct_failures: direct.c1.failures + direct.high.failures,
    relay_failures: relay.c1.failures + relay.high.failures,
    chain_failures: chain.c1.failures + chain.high.failures,
    load_average_1m_at_start: loadAverageAtStart,
    node_version: process.version,
    cpu_count: availableParallelism(),
    chunks: SHAPE.chunkCount,
    chunk_bytes: SHAPE.chunkBytes,
    ...paced.json,
    paced_concurrency: pacedConcurrency,
    paced_response_delay_ms: PACED_SHAPE.pacing!.responseDelayMs,
    paced_chunk_delay_ms: PACED_SHAPE.pacing!.chunkDelayMs,
    paced_chunks: PACED_SHAPE.chunkCount,
  };
  const addedOk = (json.chain_added_c1_p50_ms as number) <= 2;
  const ratioOk = (json.chain_vs_direct_c30_ratio as number) >= 0.35;
  json.meets_targets = addedOk && ratioOk && failures === 0;
  const e2e = withE2e ? e2eComparison({ plain: chain, e2e: get(E2E_TARGET_NAME), highConcurrency, chunkBytes: SHAPE.chunkBytes }) : undefined;
  if (e2e) Object.assign(json, e2e.json, { e2e_failures: get(E2E_TARGET_NAME).c1.failures + get(E2E_TARGET_NAME).high.failures });

  console.log(`\nCOCOON chain benchmark — node ${process.version}, ${availableParallelism()} CPUs (1-min load average at start ${loadAverageAtStart}), chain with ${workers} worker(s), ${SHAPE.chunkCount}×${SHAPE.chunkBytes} B chunks\n`);
  console.log(formatTable([...rows, ...paced.rows]));
  console.log('\nCPU ms per request (user+system, per process; 10 ms tick resolution):');
  for (const target of targets) {
    for (const [concurrency, perProcess] of [[1, get(target.name).c1Cpu], [highConcurrency, get(target.name).highCpu]] as const) {
      const cpu = Object.entries(perProcess).filter(([, ms]) => ms > 0);
      const total = cpu.reduce((sum, [, ms]) => sum + ms, 0);
      console.log(`  ${target.name.padEnd(9)} c=${String(concurrency).padEnd(3)} total ${total.toFixed(2).padStart(5)}: ${cpu.map(([name, ms]) => `${name} ${ms.toFixed(2)}`).join(', ')}`);
    }
  }
  console.log(`\nPaced shape (${PACED_SHAPE.chunkCount} chunks, first after ${PACED_SHAPE.pacing!.responseDelayMs} ms, then every ${PACED_SHAPE.pacing!.chunkDelayMs} ms): added = measured − the engine's schedule`);
  for (const line of paced.lines) console.log(line);
  console.log('');
  console.log(`chain adds ${json.chain_added_c1_p50_ms} ms p50 at c=1 (target ≤ 2 ms: ${addedOk ? 'met' : 'MISSED'}); relay adds ${json.relay_added_c1_p50_ms} ms`);
  console.log(`chain reaches ${Math.round((json.chain_vs_direct_c30_ratio as number) * 100)} % of direct req/s at c=${highConcurrency} (target ≥ 35 %: ${ratioOk ? 'met' : 'MISSED'}); relay ${Math.round((json.relay_vs_direct_c30_ratio as number) * 100)} %`);
  for (const line of e2e?.lines ?? []) console.log(line);
  if (failures > 0) {
    console.log(`FAILURES: ${failures} requests failed — results are NOT valid`);
    for (const row of [...rows, ...paced.rows]) for (const example of row.summary.failureExamples) console.log(`  ${row.target} c=${row.concurrency}: ${example}`);
  }
  if (profileDir !== undefined) console.log(`CPU profiles of the children written to ${resolve(profileDir)}`);
  console.log(JSON.stringify(json));
  return failures > 0 ? 1 : 0;
}

async function shutdown(reason: string, code: number): Promise<never> {
  progress(reason);
  abort.abort();
  await processes?.stop().catch(() => {});
  process.exit(code);
}

process.once('SIGINT', () => void shutdown('interrupted; stopping children', 130));
process.once('SIGTERM', () => void shutdown('terminated; stopping children', 143));
process.on('exit', () => processes?.killNow());
const watchdog = setTimeout(() => {
  for (const line of log.tail(30)) process.stderr.write(`${line}\n`);
  void shutdown(`timed out after ${timeoutMs / 1000} s`, 1);
}, timeoutMs);
watchdog.unref();

main().then(
  async (code) => {
    clearTimeout(watchdog);
    await processes?.stop();
    process.exit(code);
  },
  async (error: unknown) => {
    progress(`failed: ${error instanceof Error ? error.message : String(error)}`);
    for (const line of log.tail(30)) process.stderr.write(`${line}\n`);
    await processes?.stop().catch(() => {});
    process.exit(1);
  },
);
