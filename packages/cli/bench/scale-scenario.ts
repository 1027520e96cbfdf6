/**
 * One scale-benchmark run: P real proxies, W simulated workers (connected to every proxy, several
 * hundred per process), client processes keeping S streams in flight; a measured window after the
 * ramp-up; proxy CPU (/proc) and resident memory; added latencies merged from the clients' histograms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StreamPacing } from '@cocoon/test-support';
import { cpuSnapshot } from './bench-cpu.ts';
import { LatencyHistogram } from './latency-histogram.ts';
import type { ScaleClientReport } from './scale-client-load.ts';
import { ScaleLoadProcess, residentMemoryMib, startScaleProxy, type ScaleProxy, type ScaleProxySettings } from './scale-processes.ts';

export interface ScaleScenario {
  proxies: number;
  workers: number;
  streams: number;
  workersPerProcess: number;
  clientProcesses: number;
  clientSessions: number;
  pacing: StreamPacing;
  durationMs: number;
  warmupMs: number;
  rampPerSecond: number;
  workerMaxActive: number;
  dialConcurrency: number;
  requestTimeoutMs: number;
  proxy: ScaleProxySettings;
  progress(line: string): void;
}

export interface ScaleResult {
  proxies: number;
  workers: number;
  worker_sessions: number;
  concurrent_streams: number;
  errors: number;
  error_examples: string[];
  /** Peak resident memory of the (largest) proxy during the run, MiB. */
  proxy_rss_mib: number;
  /** Resident memory once the workers were connected, before any stream. */
  proxy_rss_workers_only_mib: number;
  proxy_cpu_ms_per_1k_chunks: number;
  /** Proxy CPU over the measured window, in cores (1 = one core busy). */
  proxy_cpu_cores: number;
  p50_added_chunk_ms: number;
  p99_added_chunk_ms: number;
  p999_added_chunk_ms: number;
  max_added_chunk_ms: number;
  ttft_added_p50_ms: number;
  ttft_added_p99_ms: number;
  chunks_per_second: number;
  measured_chunks: number;
  streams_completed: number;
  workers_connect_s: number;
  proxy_warnings: number;
  /** The simulated workers' own timer lag (not part of "added"): mean and max, ms. */
  worker_pacing_late_mean_ms: number;
  worker_pacing_late_max_ms: number;
}

const MODEL = 'bench/simulated-chat@scale';
const round = (value: number, digits = 3): number => Math.round(value * 10 ** digits) / 10 ** digits;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Splits `total` into `parts` near-equal positive shares. */
function split(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, index) => Math.floor(total / parts) + (index < total % parts ? 1 : 0)).filter((share) => share > 0);
}

export async function runScaleScenario(scenario: ScaleScenario): Promise<ScaleResult> {
  const directory = mkdtempSync(join(tmpdir(), 'cocoon-scale-'));
  const proxies: ScaleProxy[] = [];
  const loads: ScaleLoadProcess[] = [];
  const say = scenario.progress;
  try {
    proxies.push(...await Promise.all(Array.from({ length: scenario.proxies }, (_, index) => startScaleProxy(`proxy-${index + 1}`, directory, scenario.proxy))));
    const workerEndpoints = proxies.map((proxy) => ({ host: '127.0.0.1', port: proxy.workerPort }));
    const clientEndpoints = proxies.map((proxy) => ({ host: '127.0.0.1', port: proxy.clientPort }));
    say(`${proxies.length} prox${proxies.length === 1 ? 'y' : 'ies'} up; connecting ${scenario.workers} simulated workers (${scenario.workers * proxies.length} sessions)…`);

    const connectStarted = performance.now();
    const fleets = split(scenario.workers, Math.ceil(scenario.workers / scenario.workersPerProcess)).map((workers, index) => new ScaleLoadProcess(`workers-${index + 1}`, {
      role: 'worker', proxies: workerEndpoints, pacing: scenario.pacing, model: MODEL, workers, maxActiveRequests: scenario.workerMaxActive, dialConcurrency: scenario.dialConcurrency,
    }));
    loads.push(...fleets);
    const connectTimeoutMs = 60_000 + scenario.workers * proxies.length * 100;
    await Promise.all(fleets.map((fleet) => fleet.next('ready', connectTimeoutMs)));
    const connectSeconds = (performance.now() - connectStarted) / 1000;
    const workersOnly = Math.max(...proxies.map((proxy) => residentMemoryMib(proxy.pid).rssMib));
    say(`workers connected in ${connectSeconds.toFixed(1)} s; proxy RSS ${workersOnly.toFixed(0)} MiB; starting ${scenario.streams} streams…`);

    const sessionsPerProcess = split(scenario.clientSessions, scenario.clientProcesses);
    const clients = split(scenario.streams, sessionsPerProcess.length).map((streams, index) => new ScaleLoadProcess(`clients-${index + 1}`, {
      role: 'client', proxies: clientEndpoints, pacing: scenario.pacing, model: MODEL, sessions: sessionsPerProcess[index]!, streams,
      rampPerSecond: scenario.rampPerSecond / sessionsPerProcess.length, requestTimeoutMs: scenario.requestTimeoutMs,
    }));
    loads.push(...clients);
    await Promise.all(clients.map((client) => client.next('ready', 60_000)));
    for (const client of clients) client.command('start');

    const reports = async (): Promise<ScaleClientReport[]> => (await Promise.all(clients.map((client) => client.ask('report', 'report', 30_000)))).map((message) => message.report as ScaleClientReport);
    const inFlight = (all: ScaleClientReport[]): number => all.reduce((sum, report) => sum + report.inFlight, 0);
    const rampDeadline = performance.now() + 30_000 + (scenario.streams / scenario.rampPerSecond) * 3000;
    for (;;) {
      const now = await reports();
      if (inFlight(now) >= scenario.streams || performance.now() > rampDeadline) break;
      await sleep(250);
    }
    await sleep(scenario.warmupMs);
    for (const client of clients) client.command('measure');
    const pids = new Map(proxies.map((proxy) => [proxy.name, proxy.pid]));
    const cpuBefore = cpuSnapshot(pids);
    const windowStarted = performance.now();
    say(`all streams running; measuring ${scenario.durationMs / 1000} s…`);
    let minimumInFlight = Infinity;
    let peakMib = 0;
    while (performance.now() - windowStarted < scenario.durationMs) {
      await sleep(Math.min(1000, scenario.durationMs - (performance.now() - windowStarted)));
      for (const proxy of proxies) peakMib = Math.max(peakMib, residentMemoryMib(proxy.pid).rssMib);
      minimumInFlight = Math.min(minimumInFlight, inFlight(await reports()));
    }
    const measured = await reports();
    const cpuAfter = cpuSnapshot(pids);
    const windowMs = performance.now() - windowStarted;
    for (const proxy of proxies) peakMib = Math.max(peakMib, residentMemoryMib(proxy.pid).peakMib);

    say('draining…');
    const drained = (await Promise.all(clients.map((client) => client.ask('drain', 'drained', scenario.requestTimeoutMs + 30_000)))).map((message) => message.report as ScaleClientReport);
    const fleetStats = (await Promise.all(fleets.map((fleet) => fleet.ask('report', 'report', 30_000)))).map((message) => message.stats as Record<string, number>);

    const chunkAdded = new LatencyHistogram();
    const ttftAdded = new LatencyHistogram();
    for (const report of measured) {
      chunkAdded.merge(report.chunkAdded);
      ttftAdded.merge(report.ttftAdded);
    }
    const chunks = measured.reduce((sum, report) => sum + report.chunks, 0);
    const proxyCpuMs = proxies.reduce((sum, proxy) => sum + ((cpuAfter.get(proxy.name) ?? 0) - (cpuBefore.get(proxy.name) ?? 0)), 0);
    const fleetErrors = fleetStats.reduce((sum, stats) => sum + (stats.sessionsLost ?? 0) + (stats.connectFailures ?? 0), 0);
    const clientErrors = drained.reduce((sum, report) => sum + report.errors, 0);
    const examples = drained.flatMap((report) => report.errorExamples).slice(0, 8);
    if (fleetErrors > 0) examples.push(`${fleetErrors} worker sessions failed to connect or were lost`);
    if (clientErrors + fleetErrors > 0) for (const proxy of proxies) for (const line of proxy.lines.slice(-12)) say(`[${proxy.name}] ${line}`);
    return {
      proxies: proxies.length,
      workers: scenario.workers,
      worker_sessions: fleetStats.reduce((sum, stats) => sum + (stats.readySessions ?? 0), 0),
      concurrent_streams: Number.isFinite(minimumInFlight) ? minimumInFlight : inFlight(measured),
      errors: clientErrors + fleetErrors,
      error_examples: examples,
      proxy_rss_mib: round(peakMib, 1),
      proxy_rss_workers_only_mib: round(workersOnly, 1),
      proxy_cpu_ms_per_1k_chunks: chunks > 0 ? round((proxyCpuMs / chunks) * 1000, 1) : Number.NaN,
      proxy_cpu_cores: round(proxyCpuMs / windowMs, 2),
      p50_added_chunk_ms: chunkAdded.percentile(0.5),
      p99_added_chunk_ms: chunkAdded.percentile(0.99),
      p999_added_chunk_ms: chunkAdded.percentile(0.999),
      max_added_chunk_ms: round(chunkAdded.max),
      ttft_added_p50_ms: ttftAdded.percentile(0.5),
      ttft_added_p99_ms: ttftAdded.percentile(0.99),
      chunks_per_second: round((chunks * 1000) / windowMs, 0),
      measured_chunks: chunks,
      streams_completed: drained.reduce((sum, report) => sum + report.completed, 0),
      workers_connect_s: round(connectSeconds, 1),
      proxy_warnings: proxies.reduce((sum, proxy) => sum + proxy.warnings, 0),
      worker_pacing_late_mean_ms: round(fleetStats.reduce((sum, stats) => sum + (stats.pacingLateSumMs ?? 0), 0) / Math.max(1, fleetStats.reduce((sum, stats) => sum + (stats.chunksSent ?? 0), 0))),
      worker_pacing_late_max_ms: round(Math.max(0, ...fleetStats.map((stats) => stats.pacingLateMaxMs ?? 0))),
    };
  } catch (error) {
    for (const proxy of proxies) for (const line of proxy.lines.slice(-10)) say(`[${proxy.name}] ${line}`);
    throw error;
  } finally {
    await Promise.all(loads.map((load) => load.close()));
    await Promise.all(proxies.map((proxy) => proxy.stop()));
    rmSync(directory, { recursive: true, force: true });
  }
}
