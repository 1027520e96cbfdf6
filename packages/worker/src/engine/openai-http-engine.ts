/**
 * InferenceEngine over HTTP/1.1 to an OpenAI-compatible server (vLLM, SGLang, the TEST
 * ENGINE…): an undici Pool of keep-alive connections (pipelining 1), `request()` with a
 * streamed response body, no buffering; the body pauses while the reader's gate is closed and
 * the request's signal (cancellation) aborts the exchange at once. The worker forwards at most 0.95 × its own timer.
 */
import { Pool } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import { EngineRequestDeadline, toEngineError } from './engine-request-deadline.ts';
import type { EngineBody, EngineHealth, EngineRequest, EngineResponse, InferenceEngine, ReadGate } from './inference-engine.ts';
import type { Readable } from 'node:stream';

export interface OpenAiHttpEngineOptions {
  /** Server root, e.g. `http://127.0.0.1:8000` (a path prefix is kept). */
  baseUrl: string;
  /** Keep-alive connections in the pool (default 64). */
  connections?: number;
  /** Deadline of a health check (default 5000 ms). */
  healthTimeoutMs?: number;
}

/** Request headers never forwarded: hop-by-hop, framing, and the ones undici sets itself. */
const DROPPED_REQUEST_HEADERS = new Set([
  'connection',
  'content-length',
  'transfer-encoding',
  'keep-alive',
  'proxy-connection',
  'upgrade',
  'expect',
  'te',
  'trailer',
  'host',
]);

function forwardableHeaders(headers: Record<string, string>, hasBody: boolean): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!DROPPED_REQUEST_HEADERS.has(lower)) result[lower] = value;
  }
  if (hasBody && result['content-type'] === undefined) result['content-type'] = 'application/json';
  return result;
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) result[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return result;
}

async function* guardedBody(body: AsyncIterable<Buffer>, deadline: EngineRequestDeadline): AsyncIterable<Buffer> {
  try {
    for await (const chunk of body) yield chunk;
  } catch (error) {
    throw deadline.toError(error);
  } finally {
    deadline.dispose();
  }
}

/** The undici body as an EngineBody: async iteration, or callbacks without a promise per chunk. */
function engineBody(readable: Readable, deadline: EngineRequestDeadline): EngineBody {
  return {
    [Symbol.asyncIterator]: () => guardedBody(readable, deadline)[Symbol.asyncIterator](),
    forEach: (onChunk, gate?: ReadGate) => new Promise<void>((resolve, reject) => {
      let paused = false;
      readable.on('data', (chunk: Buffer) => {
        try {
          onChunk(chunk);
        } catch (error) {
          readable.destroy(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        if (!gate || gate.open || paused) return;
        paused = true;
        readable.pause();
        void gate.whenOpen().then(() => {
          paused = false;
          readable.resume();
        });
      });
      readable.once('end', () => {
        deadline.dispose();
        resolve();
      });
      readable.once('error', (error) => {
        deadline.dispose();
        reject(deadline.toError(error));
      });
    }),
  };
}

export class OpenAiHttpEngine implements InferenceEngine {
  readonly #pool: Pool;
  readonly #pathPrefix: string;
  readonly #healthTimeoutMs: number;

  constructor(options: OpenAiHttpEngineOptions) {
    const url = new URL(options.baseUrl);
    this.#pathPrefix = url.pathname.replace(/\/+$/, '');
    this.#healthTimeoutMs = options.healthTimeoutMs ?? 5000;
    this.#pool = new Pool(url.origin, {
      connections: options.connections ?? 64,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      connect: { timeout: 10_000 },
    });
  }

  async forward(request: EngineRequest): Promise<EngineResponse> {
    const deadline = new EngineRequestDeadline(request.timeoutMs, request.signal);
    const hasBody = request.body.length > 0;
    try {
      const response = await this.#pool.request({
        path: this.#pathPrefix + request.path,
        method: request.method as 'POST',
        headers: forwardableHeaders(request.headers, hasBody),
        body: hasBody ? request.body : null,
        signal: deadline.signal,
        headersTimeout: request.timeoutMs,
        bodyTimeout: request.timeoutMs,
      });
      return {
        status: response.statusCode,
        headers: flattenHeaders(response.headers),
        body: engineBody(response.body, deadline),
      };
    } catch (error) {
      const mapped = deadline.toError(error);
      deadline.dispose();
      throw mapped;
    }
  }

  async health(signal?: AbortSignal): Promise<EngineHealth> {
    try {
      const response = await this.forward({
        path: '/v1/models',
        method: 'GET',
        headers: { accept: 'application/json' },
        body: Buffer.alloc(0),
        timeoutMs: this.#healthTimeoutMs,
        signal,
      });
      const chunks: Buffer[] = [];
      for await (const chunk of response.body) chunks.push(chunk);
      if (response.status !== 200) return { ok: false, models: [] };
      const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data?: unknown };
      const models = Array.isArray(parsed.data)
        ? parsed.data.map((entry: { id?: unknown }) => entry?.id).filter((id): id is string => typeof id === 'string')
        : [];
      return { ok: true, models };
    } catch {
      return { ok: false, models: [] };
    }
  }

  async close(): Promise<void> {
    try {
      await this.#pool.close();
    } catch (error) {
      throw toEngineError(error);
    }
  }
}
