/**
 * `npm run bench:light-client`'s flags and report: the flags read and checked (--requests, --json,
 * --warm-repeats, --timeout-s), every measurement summarized (nearest-rank p50/p95 of the chats), the
 * readable tables (bundle sizes; verification and chat times in the browser and in Node) and the one
 * JSON object of the run, its field names flat and suffixed by unit.
 */
import { parseArgs } from 'node:util';
import { CocoonError } from '@cocoon/protocol';
import { percentile } from './bench-stats.ts';
import type { ChatRun, VerificationTimes } from './light-client-measurements.ts';

export interface LightClientBenchOptions {
  /** Streamed chats per side (browser, Node). */
  requests: number;
  /** Only the JSON object on stdout (no tables). */
  json: boolean;
  /** Cached verifications timed after the cold one. */
  warmRepeats: number;
  timeoutMs: number;
}

export interface BundleSize {
  /** What was bundled (`@cocoon/sdk`) or the file (`light client app.js`). */
  name: string;
  /** The JSON field stem (`sdk`, `light_client_app_js`). */
  field: string;
  bytes: number;
  gzipBytes: number;
}

/** One side's measurements (the browser page or Node). */
export interface LightClientSide {
  verification: VerificationTimes;
  chats: ChatRun;
}

export interface LightClientBenchResult {
  bundles: BundleSize[];
  /** The light-client page itself: navigation start → its attestation box showing the verified verdict. */
  pageVerifiedMs: number;
  browser: LightClientSide;
  node: LightClientSide;
  chromiumVersion: string;
  model: string;
  requests: number;
  /** The test engine's answer shape: content chunks of so many bytes. */
  engineChunks: number;
  engineChunkBytes: number;
  loadAverageAtStart: number;
  cpuCount: number;
}

export interface ChatSummary {
  requests: number;
  failures: number;
  ttftP50Ms: number;
  ttftP95Ms: number;
  totalP50Ms: number;
  totalP95Ms: number;
  /** The first chat's time to first token (the first request after the verdict). */
  firstTtftMs: number;
  chunksPerAnswer: number;
  tokensPerAnswer: number;
  costTonPerAnswer: string;
}

const invalid = (message: string): CocoonError => new CocoonError('CCN_ERR_CONFIG_INVALID', `bench:light-client: ${message}`);

function integerFlag(text: string, name: string, minimum: number, maximum: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < minimum || value > maximum) throw invalid(`--${name} must be an integer from ${minimum} to ${maximum}, got '${text}'`);
  return value;
}

/** The flags (process.argv.slice(2)); unknown flags and bad values are CCN_ERR_CONFIG_INVALID. */
export function parseLightClientBenchArgs(args: readonly string[]): LightClientBenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        requests: { type: 'string', default: '20' },
        json: { type: 'boolean', default: false },
        'warm-repeats': { type: 'string', default: '5' },
        'timeout-s': { type: 'string', default: '150' },
      },
    }));
  } catch (error) {
    throw invalid(`${(error as Error).message} (flags: --requests N, --json, --warm-repeats N, --timeout-s S)`);
  }
  return {
    requests: integerFlag(values.requests, 'requests', 1, 10_000),
    json: values.json,
    warmRepeats: integerFlag(values['warm-repeats'], 'warm-repeats', 1, 1000),
    timeoutMs: integerFlag(values['timeout-s'], 'timeout-s', 10, 3600) * 1000,
  };
}

const round = (value: number): number => Math.round(value * 100) / 100;
const sorted = (values: readonly number[]): number[] => [...values].sort((a, b) => a - b);

export function summarizeChats(run: ChatRun): ChatSummary {
  const ttft = sorted(run.samples.map((sample) => sample.ttftMs));
  const total = sorted(run.samples.map((sample) => sample.totalMs));
  const mean = (values: number[]): number => (values.length === 0 ? Number.NaN : round(values.reduce((sum, value) => sum + value, 0) / values.length));
  return {
    requests: run.samples.length + run.failures.length,
    failures: run.failures.length,
    ttftP50Ms: round(percentile(ttft, 0.5)), ttftP95Ms: round(percentile(ttft, 0.95)),
    totalP50Ms: round(percentile(total, 0.5)), totalP95Ms: round(percentile(total, 0.95)),
    firstTtftMs: round(run.samples[0]?.ttftMs ?? Number.NaN),
    chunksPerAnswer: mean(run.samples.map((sample) => sample.chunks)),
    tokensPerAnswer: mean(run.samples.map((sample) => sample.totalTokens)),
    costTonPerAnswer: run.samples[0]?.costTon ?? '',
  };
}

const warmP50 = (times: VerificationTimes): number => round(percentile(sorted(times.warmMs), 0.5));

/** Right-aligned columns under a header, the first column left-aligned. */
export function formatColumns(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const format = (cells: readonly string[]): string => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  return [format(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(format)].join('\n');
}

const milliseconds = (value: number): string => (Number.isFinite(value) ? value.toFixed(1) : '-');

/** The readable report: bundle sizes, then verification and chat times per side. */
export function formatLightClientReport(result: LightClientBenchResult): string {
  const bundles = formatColumns(['bundle (minified)', 'bytes', 'gzip bytes'], result.bundles.map((bundle) => [bundle.name, String(bundle.bytes), String(bundle.gzipBytes)]));
  const side = (name: string, measured: LightClientSide): string[] => {
    const chats = summarizeChats(measured.chats);
    return [name, milliseconds(measured.verification.coldMs), milliseconds(measured.verification.freshInstanceMs), milliseconds(warmP50(measured.verification)),
      milliseconds(chats.firstTtftMs), milliseconds(chats.ttftP50Ms), milliseconds(chats.ttftP95Ms), milliseconds(chats.totalP50Ms), milliseconds(chats.totalP95Ms),
      String(chats.requests), String(chats.failures)];
  };
  const times = formatColumns(
    ['SDK in', 'verify cold', 'verify fresh', 'verify warm', 'ttft first', 'ttft p50', 'ttft p95', 'total p50', 'total p95', 'requests', 'fail'],
    [side(`chromium ${result.chromiumVersion}`, result.browser), side(`node ${process.version}`, result.node)],
  );
  const chats = summarizeChats(result.browser.chats);
  const failures = [...result.browser.chats.failures.map((line) => `  browser: ${line}`), ...result.node.chats.failures.map((line) => `  node: ${line}`)].slice(0, 6);
  return [
    `COCOON light client benchmark — ${result.cpuCount} CPUs (1-min load average at start ${result.loadAverageAtStart}), model ${result.model}, `
      + `${result.browser.verification.verifiedWorkers} worker(s) on ${result.browser.verification.tee} under ${result.browser.verification.authority}`,
    '',
    bundles,
    '',
    `times in ms; verify: attestation.verify(model) — cold: first in the realm, fresh: a second new instance, warm: cached (p50 of ${result.browser.verification.warmMs.length});`,
    `chats: ${result.requests} streamed one after the other, ${chats.chunksPerAnswer} content chunks (engine: ${result.engineChunks} × ${result.engineChunkBytes} B), `
      + `${chats.tokensPerAnswer} tokens, ${chats.costTonPerAnswer} TON each; total = to the verified receipt`,
    times,
    '',
    `the light-client page: navigation → verified attestation verdict in ${milliseconds(result.pageVerifiedMs)} ms`,
    ...(failures.length > 0 ? ['FAILURES:', ...failures] : []),
  ].join('\n');
}

/** The run as one flat JSON object. */
export function lightClientJson(result: LightClientBenchResult): Record<string, unknown> {
  const sideFields = (prefix: string, measured: LightClientSide): Record<string, unknown> => {
    const chats = summarizeChats(measured.chats);
    return {
      [`${prefix}_verify_cold_ms`]: round(measured.verification.coldMs),
      [`${prefix}_verify_fresh_instance_ms`]: round(measured.verification.freshInstanceMs),
      [`${prefix}_verify_warm_p50_ms`]: warmP50(measured.verification),
      [`${prefix}_first_ttft_ms`]: chats.firstTtftMs,
      [`${prefix}_ttft_p50_ms`]: chats.ttftP50Ms,
      [`${prefix}_ttft_p95_ms`]: chats.ttftP95Ms,
      [`${prefix}_total_p50_ms`]: chats.totalP50Ms,
      [`${prefix}_total_p95_ms`]: chats.totalP95Ms,
      [`${prefix}_requests`]: chats.requests,
      [`${prefix}_failures`]: chats.failures,
    };
  };
  const browser = summarizeChats(result.browser.chats);
  const node = summarizeChats(result.node.chats);
  return {
    ...Object.fromEntries(result.bundles.flatMap((bundle) => [[`bundle_${bundle.field}_bytes`, bundle.bytes], [`bundle_${bundle.field}_gzip_bytes`, bundle.gzipBytes]])),
    page_verified_ms: round(result.pageVerifiedMs),
    ...sideFields('browser', result.browser),
    ...sideFields('node', result.node),
    browser_added_ttft_p50_ms: round(browser.ttftP50Ms - node.ttftP50Ms),
    browser_added_total_p50_ms: round(browser.totalP50Ms - node.totalP50Ms),
    failures: browser.failures + node.failures,
    model: result.model,
    workers_verified: result.browser.verification.verifiedWorkers,
    tee: result.browser.verification.tee,
    authority: result.browser.verification.authority,
    chunks_per_answer: browser.chunksPerAnswer,
    tokens_per_answer: browser.tokensPerAnswer,
    cost_ton_per_answer: browser.costTonPerAnswer,
    engine_chunks: result.engineChunks,
    engine_chunk_bytes: result.engineChunkBytes,
    requests: result.requests,
    warm_repeats: result.browser.verification.warmMs.length,
    chromium_version: result.chromiumVersion,
    node_version: process.version,
    cpu_count: result.cpuCount,
    load_average_1m_at_start: result.loadAverageAtStart,
  };
}
