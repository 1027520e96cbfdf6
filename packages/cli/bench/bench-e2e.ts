/**
 * The end-to-end encryption part of `npm run bench` (§9, §22): the `chain-e2e` target is the same chain
 * processes and request shape with `X-Cocoon-E2E: require` (runner-sealing: the client runner verifies the
 * worker's evidence, seals, opens every chunk, checks the receipt and stores it in LMDB). Here: waiting until
 * the client runner lists a verified e2e worker, the byte counters sampled around a phase (the client
 * runner's payload counters from /metrics and the proxy's read+written bytes from /proc/<pid>/io, i.e. both
 * TLS hops), the exact size a sealed chunk adds (sealed with the protocol's own E2eAnswerSealer), and the
 * comparison rows and JSON fields against the plaintext chain.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { E2eAnswerSealer } from '@cocoon/protocol';
import type { LoadSummary } from './bench-stats.ts';

export const E2E_TARGET_NAME = 'chain-e2e';
export const E2E_REQUEST_HEADERS: Readonly<Record<string, string>> = { 'x-cocoon-e2e': 'require' };
/** The header every runner-sealed answer carries; a response without it did not go end to end. */
export const E2E_ANSWER_HEADER = { name: 'x-cocoon-e2e', value: '1' } as const;
const MODEL = 'test/tiny-chat';

/** Waits until the client runner lists `count` e2e workers whose evidence verified in it. */
export async function waitForE2eWorkers(origin: string, count: number, timeoutMs: number, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    signal.throwIfAborted();
    try {
      const response = await fetch(`${origin}/v1/e2e/workers?model=${encodeURIComponent(MODEL)}`, { signal });
      const listing = (await response.json()) as { workers?: unknown[]; error?: { message?: string } };
      const listed = listing.workers?.length ?? 0;
      if (listed >= count) return;
      last = response.ok ? `${listed} verified worker(s)` : `HTTP ${response.status}: ${listing.error?.message ?? ''}`;
    } catch (error) {
      if (signal.aborted) throw error;
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the client runner listed no verified e2e worker within ${timeoutMs / 1000} s (${last})`);
}

/** Byte counters at one moment: the client runner's payload bytes and the proxy's I/O bytes. */
export interface ByteSnapshot {
  clientSent: number;
  clientReceived: number;
  /** rchar + wchar of the proxy process: everything it read and wrote (both TLS hops, its log lines). */
  proxyIo: number;
}

function metricValue(text: string, name: string): number {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'm').exec(text);
  return match ? Number(match[1]) : Number.NaN;
}

function processIoBytes(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    const field = (name: string): number => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(io)?.[1] ?? Number.NaN);
    return field('rchar') + field('wchar');
  } catch {
    return Number.NaN;
  }
}

export async function byteSnapshot(clientOrigin: string, proxyPid: number | undefined): Promise<ByteSnapshot> {
  const text = await (await fetch(`${clientOrigin}/metrics`)).text();
  return {
    clientSent: metricValue(text, 'cocoon_client_sent_bytes_total'),
    clientReceived: metricValue(text, 'cocoon_client_received_bytes_total'),
    proxyIo: processIoBytes(proxyPid),
  };
}

/** Bytes per request between two snapshots. */
export interface BytesPerRequest {
  /** The request the client runner sent (encoded http.request, or the sealed ext.e2eRequest). */
  sent: number;
  /** The answer bytes it received (plaintext: body bytes; e2e: every boxed ext.e2eAnswerChunk). */
  received: number;
  /** Proxy read + written per request: each byte crosses it twice (in on one hop, out on the other). */
  proxyIo: number;
}

export function bytesPerRequest(before: ByteSnapshot, after: ByteSnapshot, requests: number): BytesPerRequest {
  const per = (end: number, start: number): number => (requests > 0 ? Math.round((end - start) / requests) : Number.NaN);
  return { sent: per(after.clientSent, before.clientSent), received: per(after.clientReceived, before.clientReceived), proxyIo: per(after.proxyIo, before.proxyIo) };
}

/** The test engine's SSE event of one content chunk as the bench receives it (its size is what matters). */
function sampleContentEvent(chunkBytes: number): Uint8Array {
  const event = { id: 'chatcmpl-test', object: 'chat.completion.chunk', created: 1_700_000_000, model: MODEL,
    choices: [{ index: 0, delta: { content: '0'.repeat(chunkBytes) }, finish_reason: null }] };
  return new TextEncoder().encode(`data: ${JSON.stringify(event)}\n\n`);
}

/** Exactly what sealing adds to one answer message of this plaintext size (GCM tag + TL framing and padding). */
export function sealedChunkOverhead(chunkBytes: number): { plaintextBytes: number; sealedBytes: number; overheadBytes: number } {
  const sealer = new E2eAnswerSealer(randomBytes(32), randomBytes(32));
  const plaintext = sampleContentEvent(chunkBytes);
  const sealed = sealer.seal(plaintext, false);
  return { plaintextBytes: plaintext.length, sealedBytes: sealed.length, overheadBytes: sealed.length - plaintext.length };
}

export interface E2eComparisonInput {
  plain: { c1: LoadSummary; high: LoadSummary; c1Cpu: Record<string, number>; highCpu: Record<string, number>; bytes?: BytesPerRequest };
  e2e: { c1: LoadSummary; high: LoadSummary; c1Cpu: Record<string, number>; highCpu: Record<string, number>; bytes?: BytesPerRequest };
  highConcurrency: number;
  chunkBytes: number;
}

const round = (value: number, digits = 3): number => Math.round(value * 10 ** digits) / 10 ** digits;
const TARGET_ADDED_P50_MS = 0.2;
const TARGET_RPS_RATIO = 0.95;

/** JSON fields and readable lines comparing the e2e chain with the plaintext chain. */
export function e2eComparison(input: E2eComparisonInput): { json: Record<string, unknown>; lines: string[]; met: boolean } {
  const { plain, e2e, highConcurrency } = input;
  const chunk = sealedChunkOverhead(input.chunkBytes);
  const ratio = round(e2e.high.requestsPerSecond / plain.high.requestsPerSecond);
  const addedP50 = round(e2e.c1.p50Ms - plain.c1.p50Ms);
  const cpuDelta = (name: string, which: 'c1Cpu' | 'highCpu'): number => round((e2e[which][name] ?? 0) - (plain[which][name] ?? 0), 2);
  const processes = [...new Set([...Object.keys(plain.highCpu), ...Object.keys(e2e.highCpu)])].filter((name) => (plain.highCpu[name] ?? 0) > 0 || (e2e.highCpu[name] ?? 0) > 0);
  const json: Record<string, unknown> = {
    e2e_added_p50_ms_c1: addedP50,
    e2e_added_p99_ms_c1: round(e2e.c1.p99Ms - plain.c1.p99Ms),
    e2e_added_ttft_p50_ms_c1: round(e2e.c1.ttftP50Ms - plain.c1.ttftP50Ms),
    e2e_rps_c30: e2e.high.requestsPerSecond,
    e2e_rps_ratio_c30: ratio,
    e2e_rps_change_pct_c30: round((ratio - 1) * 100, 1),
    ...Object.fromEntries(processes.flatMap((name) => [
      [`e2e_added_cpu_ms_per_req_c1_${name.replaceAll('-', '_')}`, cpuDelta(name, 'c1Cpu')],
      [`e2e_added_cpu_ms_per_req_c30_${name.replaceAll('-', '_')}`, cpuDelta(name, 'highCpu')],
    ])),
    e2e_chunk_overhead_bytes: chunk.overheadBytes,
    e2e_chunk_plaintext_bytes: chunk.plaintextBytes,
    ...(plain.bytes && e2e.bytes ? {
      chain_request_bytes: plain.bytes.sent, e2e_request_bytes: e2e.bytes.sent, e2e_request_overhead_bytes: e2e.bytes.sent - plain.bytes.sent,
      chain_answer_bytes: plain.bytes.received, e2e_answer_bytes: e2e.bytes.received, e2e_answer_overhead_bytes: e2e.bytes.received - plain.bytes.received,
      chain_proxy_io_bytes_per_req: plain.bytes.proxyIo, e2e_proxy_io_bytes_per_req: e2e.bytes.proxyIo,
    } : {}),
  };
  const addedOk = addedP50 <= TARGET_ADDED_P50_MS;
  const ratioOk = ratio >= TARGET_RPS_RATIO;
  json.e2e_meets_targets = addedOk && ratioOk;
  const lines = [
    `e2e adds ${addedP50} ms p50 (p99 ${json.e2e_added_p99_ms_c1} ms) at c=1 over the plaintext chain (target ≤ ${TARGET_ADDED_P50_MS} ms: ${addedOk ? 'met' : 'MISSED'})`,
    `e2e reaches ${e2e.high.requestsPerSecond} req/s at c=${highConcurrency}, ${json.e2e_rps_change_pct_c30} % vs the plaintext chain's ${plain.high.requestsPerSecond} (target ≥ −5 %: ${ratioOk ? 'met' : 'MISSED'})`,
    `e2e CPU ms per request added (c=1 / c=${highConcurrency}): ${processes.map((name) => `${name} ${cpuDelta(name, 'c1Cpu').toFixed(2)} / ${cpuDelta(name, 'highCpu').toFixed(2)}`).join(', ')}`,
    `e2e chunk: a ${chunk.plaintextBytes}-byte SSE event seals to ${chunk.sealedBytes} bytes (+${chunk.overheadBytes}: 16 GCM tag + TL framing and padding)`,
  ];
  if (plain.bytes && e2e.bytes) {
    lines.push(`bytes per request at the client runner (c=1): request ${plain.bytes.sent} → ${e2e.bytes.sent} (+${e2e.bytes.sent - plain.bytes.sent}), answer ${plain.bytes.received} → ${e2e.bytes.received} (+${e2e.bytes.received - plain.bytes.received}); proxy read+written ${plain.bytes.proxyIo} → ${e2e.bytes.proxyIo}`);
  }
  return { json, lines, met: addedOk && ratioOk };
}
