/**
 * Measures the strict JSON check at the client's HTTP edge: the attacker body (5.9 MB, 500 000 keys)
 * refused as too complex, a typical 2 KB chat body, the largest body the limits accept, and the
 * longest event-loop stall while a real edge on loopback refuses the attacker body.
 * Run: node --import tsx packages/client/bench/json-structure-check-bench.ts [runs]
 */
import { request } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { findJsonStructureProblem } from '@cocoon/protocol';
import { parseInferenceRequest, startClientHttpServer } from '../src/http/index.ts';
import type { GatewayAnswer, InferenceGateway } from '../src/http/index.ts';

const runs = Number(process.argv[2] ?? 20);
const round = (value: number): number => Math.round(value * 1000) / 1000;

function attackBody(): Buffer {
  const keys = Array.from({ length: 500_000 }, (_, index) => `"k${index}":1`).join(',');
  return Buffer.from(`{"model":"m","messages":[],"metadata":{${keys}}}`);
}

function chatBody(): Buffer {
  const messages = Array.from({ length: 8 }, (_, index) => ({ role: index % 2 === 0 ? 'user' : 'assistant', content: `message ${index}: ${'lorem ipsum dolor sit amet '.repeat(8)}` }));
  return Buffer.from(JSON.stringify({ model: 'Qwen/Qwen3-8B', messages, temperature: 0.7, stream: true, max_tokens: 256 }));
}

/** The largest accepted shape: 99 990 values in one object (just under the default cap). */
function largestAcceptedBody(): Buffer {
  const keys = Array.from({ length: 99_990 }, (_, index) => `"key_${index}":"value ${index}"`).join(',');
  return Buffer.from(`{"model":"m","messages":[],"metadata":{${keys}}}`);
}

function timeMs(run: () => unknown): number {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(run: () => unknown): number {
  const samples = Array.from({ length: runs }, () => timeMs(run)).sort((a, b) => a - b);
  return round(samples[Math.floor(samples.length / 2)]!);
}

function refuses(body: Buffer): () => void {
  return () => {
    try {
      parseInferenceRequest(body);
    } catch {
      return;
    }
    throw new Error('the body was accepted');
  };
}

/** POSTs `body` to a real edge and returns the longest event-loop delay seen meanwhile. */
async function edgeStallMs(body: Buffer): Promise<{ status: number; max_event_loop_delay_ms: number }> {
  const gateway: InferenceGateway = {
    run: async (): Promise<GatewayAnswer> => ({ status: 200, headers: { 'content-type': 'application/json' }, body: (async function* () { yield Buffer.from('{}'); })() }),
    listModels: async () => [],
  };
  const server = await startClientHttpServer({ host: '127.0.0.1', port: 0, gateway, stats: { jsonStats: () => ({}) }, maxBodyBytes: 16 * 1024 * 1024 });
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const status = await new Promise<number>((resolve, reject) => {
    const outgoing = request(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(body.length) } }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
  histogram.disable();
  await server.close();
  return { status, max_event_loop_delay_ms: round(histogram.max / 1e6) };
}

/** Five runs against a fresh edge each: the answer status and the stalls (median, worst). */
async function edgeStalls(body: Buffer): Promise<{ status: number; median_max_event_loop_delay_ms: number; worst_max_event_loop_delay_ms: number }> {
  const stalls: number[] = [];
  let status = 0;
  for (let run = 0; run < 5; run++) {
    const outcome = await edgeStallMs(body);
    status = outcome.status;
    stalls.push(outcome.max_event_loop_delay_ms);
  }
  stalls.sort((a, b) => a - b);
  return { status, median_max_event_loop_delay_ms: stalls[2]!, worst_max_event_loop_delay_ms: stalls[4]! };
}

const attack = attackBody();
const chat = chatBody();
const largest = largestAcceptedBody();
const attackColdMs = round(timeMs(refuses(attack)));
const result = {
  attack_body_bytes: attack.length,
  attack_refusal_cold_ms: attackColdMs,
  attack_refusal_median_ms: median(refuses(attack)),
  attack_check_only_median_ms: median(() => findJsonStructureProblem(attack)),
  chat_body_bytes: chat.length,
  chat_parse_median_ms: median(() => parseInferenceRequest(chat)),
  chat_check_only_median_ms: median(() => findJsonStructureProblem(chat)),
  largest_accepted_body_bytes: largest.length,
  largest_accepted_parse_median_ms: median(() => parseInferenceRequest(largest)),
  largest_accepted_check_only_median_ms: median(() => findJsonStructureProblem(largest)),
  edge_attack: await edgeStalls(attack),
};
console.log(JSON.stringify(result));
