/**
 * The benchmark's load generator: keep-alive undici Pool, N concurrent loops of
 * POST /v1/chat/completions (streaming), each response consumed and checked cheaply
 * (HTTP 200, exactly the expected content chunks, a usage chunk, `data: [DONE]`).
 * Deliberately no JSON parsing or OpenAI client in the loop: the generator shares the CPU.
 * For a paced shape it also samples how late each content chunk arrived against the engine's schedule.
 */
import { Pool } from 'undici';
import type { LoadSamples } from './bench-stats.ts';

export const BENCH_REQUEST_BODY = JSON.stringify({
  model: 'test/tiny-chat',
  stream: true,
  stream_options: { include_usage: true },
  messages: [{ role: 'user', content: 'benchmark' }],
  max_tokens: 8000,
});

export interface StreamShape {
  chunkCount: number;
  chunkBytes: number;
  /**
   * Paced answers (the test engine's --response-delay-ms/--chunk-delay-ms): the answer starts after
   * `responseDelayMs` with the role event, content chunk i follows `(i + 1) × chunkDelayMs` later.
   * When set, every content chunk's lateness against that schedule is sampled (`chunkLateMs`).
   */
  pacing?: { responseDelayMs: number; chunkDelayMs: number };
}

/** Why a streamed body is not the expected answer, or undefined when it is. */
export function checkStreamBody(body: string, shape: StreamShape): string | undefined {
  const needle = `"${'0'.repeat(shape.chunkBytes)}"`;
  let chunks = 0;
  for (let at = body.indexOf(needle); at !== -1; at = body.indexOf(needle, at + needle.length)) chunks++;
  if (chunks !== shape.chunkCount) return `expected ${shape.chunkCount} content chunks, got ${chunks}`;
  if (!/"usage":\s*\{/.test(body)) return 'no usage chunk';
  if (!body.trimEnd().endsWith('data: [DONE]')) return 'does not end with data: [DONE]';
  return undefined;
}

export interface LoadTarget {
  name: string;
  /** Origin, e.g. `http://127.0.0.1:8000`. */
  origin: string;
  /** Path of the chat completions endpoint, e.g. `/v1/chat/completions`. */
  path: string;
  /** Extra request headers (e.g. `X-Cocoon-E2E: require`). */
  headers?: Readonly<Record<string, string>>;
  /** A response header every answer must carry (lower-case name), else the request counts as failed. */
  expectHeader?: { name: string; value: string };
}

export interface LoadPlan {
  concurrency: number;
  /** Stop after this many requests in total (all loops together)… */
  maxRequests: number;
  /** …or after this long, whichever comes first. */
  maxDurationMs: number;
}

const MAX_FAILURE_EXAMPLES = 5;

export function createLoadPool(target: LoadTarget, connections: number): Pool {
  return new Pool(target.origin, { connections, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 15_000, bodyTimeout: 15_000 });
}

/** Runs one load phase against `target` and returns the raw samples. */
export async function runLoad(pool: Pool, target: LoadTarget, plan: LoadPlan, shape: StreamShape, signal?: AbortSignal): Promise<LoadSamples> {
  const samples: LoadSamples = { latenciesMs: [], ttftMs: [], ...(shape.pacing ? { chunkLateMs: [] } : {}), failures: 0, failureExamples: [], elapsedMs: 0 };
  const needle = `"${'0'.repeat(shape.chunkBytes)}"`;
  const started = performance.now();
  const deadline = started + plan.maxDurationMs;
  let issued = 0;
  const fail = (why: string): void => {
    samples.failures++;
    if (samples.failureExamples.length < MAX_FAILURE_EXAMPLES) samples.failureExamples.push(why);
  };
  const headers = { 'content-type': 'application/json', authorization: 'Bearer benchmark', ...target.headers };
  const expected = target.expectHeader;

  async function oneRequest(): Promise<void> {
    const sent = performance.now();
    let firstByteAt = 0;
    const pacing = shape.pacing;
    const late: number[] = [];
    let counted = 0;
    let scannedTo = 0;
    try {
      const response = await pool.request({ path: target.path, method: 'POST', headers, body: BENCH_REQUEST_BODY, signal });
      let body = '';
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        const arrived = performance.now();
        if (firstByteAt === 0) firstByteAt = arrived;
        body += chunk.toString('latin1');
        if (pacing) {
          // Content chunks completed by this piece, each late by arrival − its scheduled offset.
          for (let at = body.indexOf(needle, scannedTo); at !== -1; at = body.indexOf(needle, at + needle.length)) {
            late.push(arrived - sent - (pacing.responseDelayMs + (counted + 1) * pacing.chunkDelayMs));
            counted++;
            scannedTo = at + needle.length;
          }
        }
      }
      const finished = performance.now();
      if (response.statusCode !== 200) return fail(`HTTP ${response.statusCode}: ${body.slice(0, 200)}`);
      if (expected && response.headers[expected.name] !== expected.value) return fail(`no ${expected.name}: ${expected.value} header`);
      const problem = checkStreamBody(body, shape);
      if (problem !== undefined) return fail(problem);
      samples.latenciesMs.push(finished - sent);
      samples.ttftMs.push(firstByteAt - sent);
      if (pacing) samples.chunkLateMs?.push(...late);
    } catch (error) {
      fail(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    }
  }

  async function loop(): Promise<void> {
    while (issued < plan.maxRequests && performance.now() < deadline && !signal?.aborted) {
      issued++;
      await oneRequest();
    }
  }

  await Promise.all(Array.from({ length: plan.concurrency }, loop));
  samples.elapsedMs = performance.now() - started;
  return samples;
}
