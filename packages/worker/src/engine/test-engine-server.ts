/**
 * TEST ENGINE — a deterministic OpenAI-compatible HTTP server for tests, benchmarks and
 * the dev network until real engines land. It is NOT a model: answers and token counts
 * follow the fixed formula documented in test-engine-completion.ts.
 * Endpoints: GET /v1/models, GET /health, POST /v1/chat/completions, POST /v1/completions;
 * POST /v1/audio/transcriptions answers a clear "does not support transcription" 400.
 * Benchmark mode (chunkCount/chunkBytes set), like the reference benchmark backend (§9):
 * streams exactly chunkCount content chunks of chunkBytes characters each.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateTestCompletion } from './test-engine-completion.ts';
import type { BenchmarkShape } from './test-engine-completion.ts';
import { completionResponse, streamEvents } from './test-engine-answers.ts';
import { AUDIO_TRANSCRIPTIONS_ENGINE_PATH, audioTranscriptionRefusal } from './audio-transcription-refusal.ts';

export const TEST_ENGINE_DEFAULT_MODELS: readonly string[] = ['test/tiny-chat'];
const BENCHMARK_DEFAULT_CHUNKS = 50;
const BENCHMARK_DEFAULT_CHUNK_BYTES = 128;
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

export interface TestEngineOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  models?: string[];
  chunkCount?: number;
  chunkBytes?: number;
  /** Delay between streamed events (kept on schedule from the first one). */
  chunkDelayMs?: number;
  /** Delay before answering at all (no header byte before it): simulates a slow first token. */
  responseDelayMs?: number;
}

export interface TestEngine {
  url: string;
  port: number;
  close(): Promise<void>;
  /** Inference requests (POST to a completion endpoint) received so far. */
  readonly requests: number;
}

type JsonObject = Record<string, unknown>;

function sendJson(response: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

function sendError(response: ServerResponse, status: number, message: string, code: string): void {
  sendJson(response, status, { error: { message, type: 'invalid_request_error', param: null, code } });
}

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REQUEST_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function startTestEngine(options: TestEngineOptions = {}): Promise<TestEngine> {
  const models = options.models ?? [...TEST_ENGINE_DEFAULT_MODELS];
  const benchmarkMode = options.chunkCount !== undefined || options.chunkBytes !== undefined;
  const benchmark: BenchmarkShape | undefined = benchmarkMode
    ? { chunkCount: options.chunkCount ?? BENCHMARK_DEFAULT_CHUNKS, chunkBytes: options.chunkBytes ?? BENCHMARK_DEFAULT_CHUNK_BYTES }
    : undefined;
  const chunkDelayMs = options.chunkDelayMs ?? 0;
  const responseDelayMs = options.responseDelayMs ?? 0;
  let requests = 0;

  async function streamAnswer(response: ServerResponse, events: string[]): Promise<void> {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    if (chunkDelayMs <= 0) {
      response.end(events.join(''));
      return;
    }
    // On schedule: event k leaves k × chunkDelayMs after the first (a late timer does not push the later ones back).
    const firstAt = performance.now();
    for (let index = 0; index < events.length; index++) {
      if (response.destroyed) return;
      if (index > 0) await sleep(Math.max(0, firstAt + index * chunkDelayMs - performance.now()));
      if (!response.write(events[index])) await new Promise((resolve) => { response.once('drain', resolve); response.once('close', resolve); });
    }
    response.end();
  }

  async function handleCompletion(request: IncomingMessage, response: ServerResponse, kind: 'chat' | 'completion'): Promise<void> {
    requests++;
    const body = await readBody(request);
    if (body === undefined) return sendError(response, 413, 'request body too large', 'body_too_large');
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return sendError(response, 400, 'request body is not valid JSON', 'invalid_json');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return sendError(response, 400, 'request body must be a JSON object', 'invalid_request');
    }
    const input = parsed as JsonObject;
    if (kind === 'chat' && !Array.isArray(input.messages)) return sendError(response, 400, "'messages' must be an array", 'invalid_request');
    if (kind === 'completion' && input.prompt === undefined) return sendError(response, 400, "'prompt' is required", 'invalid_request');
    const model = typeof input.model === 'string' ? input.model : (models[0] ?? 'test');
    const context = { id: `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-test-${requests}`, model, kind };
    const completion = generateTestCompletion(input, kind, benchmark);
    if (responseDelayMs > 0) await sleep(responseDelayMs);
    const streamOptions = input.stream_options as JsonObject | undefined;
    if (input.stream !== true) return sendJson(response, 200, completionResponse(context, completion));
    await streamAnswer(response, streamEvents(context, completion, streamOptions?.include_usage === true));
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    const kind = path === '/v1/chat/completions' ? 'chat' : path === '/v1/completions' ? 'completion' : undefined;
    if (kind !== undefined) {
      if (request.method !== 'POST') return sendError(response, 405, 'method not allowed', 'method_not_allowed');
      return handleCompletion(request, response, kind);
    }
    if (request.method === 'GET' && path === '/v1/models') {
      const data = models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'cocoon-test-engine' }));
      return sendJson(response, 200, { object: 'list', data });
    }
    if (request.method === 'GET' && path === '/health') return sendJson(response, 200, { status: 'ok' });
    if (path === AUDIO_TRANSCRIPTIONS_ENGINE_PATH) {
      request.resume();
      const refusal = audioTranscriptionRefusal('the TEST ENGINE');
      return sendJson(response, refusal.status, refusal.body);
    }
    request.resume();
    sendError(response, 404, `no such endpoint: ${request.method} ${path}`, 'not_found');
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendError(response, 500, String(error), 'internal_error');
      else response.destroy();
    });
  });
  server.keepAliveTimeout = 60_000;
  server.headersTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
