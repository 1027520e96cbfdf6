/**
 * Test double of an inference engine: an OpenAI-compatible HTTP server on 127.0.0.1 that streams
 * chat completions as SSE, one token per `tokenIntervalMs` (a slow engine for cancellation tests)
 * or `tokens` tokens of `tokenBytes` characters as fast as the reader takes them (honouring
 * `write()` false, for slow-reader tests). It records each request: when it opened, when its
 * connection closed, how many tokens went out and whether the answer was complete.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlowStreamEngineOptions {
  model: string;
  /** Tokens per answer (default 200). */
  tokens?: number;
  /** Delay between tokens; 0 streams as fast as the reader allows (default 50). */
  tokenIntervalMs?: number;
  /** Characters of each token's content (default 4). */
  tokenBytes?: number;
}

export interface RecordedEngineRequest {
  openedAt: number;
  /** When the request's connection closed or the answer ended (undefined while running). */
  closedAt: number | undefined;
  tokensSent: number;
  /** Body bytes handed to the socket. */
  bytesSent: number;
  completed: boolean;
}

export interface SlowStreamEngine {
  readonly url: string;
  readonly requests: RecordedEngineRequest[];
  /** The first `bytes` characters of the SSE body every answer of this engine carries. */
  expectedPrefix(bytes: number): string;
  close(): Promise<void>;
}

const CREATED = 1_700_000_000;

function tokenText(index: number, bytes: number): string {
  const base = `t${index} `;
  return base.length >= bytes ? base.slice(0, bytes) : base + 'x'.repeat(bytes - base.length);
}

/** Event `index` of an answer (made when sent: a long answer is never held in memory): role, tokens, stop, usage, [DONE]. */
function sseEvent(model: string, tokens: number, tokenBytes: number, index: number): string {
  const chunk = (delta: Record<string, unknown>, finish: string | null) => `data: ${JSON.stringify({
    id: 'chatcmpl-slow', object: 'chat.completion.chunk', created: CREATED, model, choices: [{ index: 0, delta, finish_reason: finish }],
  })}\n\n`;
  if (index === 0) return chunk({ role: 'assistant', content: '' }, null);
  if (index <= tokens) return chunk({ content: tokenText(index - 1, tokenBytes) }, null);
  if (index === tokens + 1) return chunk({}, 'stop');
  if (index === tokens + 2) {
    return `data: ${JSON.stringify({
      id: 'chatcmpl-slow', object: 'chat.completion.chunk', created: CREATED, model, choices: [],
      usage: { prompt_tokens: 7, completion_tokens: tokens, total_tokens: 7 + tokens },
    })}\n\n`;
  }
  return 'data: [DONE]\n\n';
}

/** Resolves on 'drain' or 'close', whichever comes first, leaving no listener behind. */
function drained(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}

async function drainBody(request: IncomingMessage): Promise<void> {
  for await (const chunk of request) void chunk;
}

export async function startSlowStreamEngine(options: SlowStreamEngineOptions): Promise<SlowStreamEngine> {
  const tokens = options.tokens ?? 200;
  const interval = options.tokenIntervalMs ?? 50;
  const tokenBytes = options.tokenBytes ?? 4;
  const eventCount = tokens + 4;
  const eventAt = (index: number): string => sseEvent(options.model, tokens, tokenBytes, index);
  const requests: RecordedEngineRequest[] = [];

  async function stream(response: ServerResponse, record: RecordedEngineRequest): Promise<void> {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for (let index = 0; index < eventCount; index++) {
      if (response.destroyed) return;
      if (interval > 0 && index > 1 && index <= tokens + 1) await new Promise((resolve) => setTimeout(resolve, interval));
      if (response.destroyed) return;
      const event = eventAt(index);
      record.bytesSent += event.length;
      const ok = response.write(event);
      if (index >= 1 && index <= tokens) record.tokensSent += 1;
      if (!ok) await drained(response);
    }
    record.completed = true;
    response.end();
  }

  const server = createServer((request, response) => {
    void (async () => {
      await drainBody(request);
      if (request.method === 'GET' && request.url === '/v1/models') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ object: 'list', data: [{ id: options.model, object: 'model', created: CREATED, owned_by: 'test' }] }));
        return;
      }
      if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end('{"error":{"message":"not found"}}');
        return;
      }
      const record: RecordedEngineRequest = { openedAt: Date.now(), closedAt: undefined, tokensSent: 0, bytesSent: 0, completed: false };
      requests.push(record);
      response.once('close', () => { record.closedAt ??= Date.now(); });
      await stream(response, record);
    })().catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    expectedPrefix: (bytes) => {
      let text = '';
      for (let index = 0; index < eventCount && text.length < bytes; index++) text += eventAt(index);
      return text.slice(0, bytes);
    },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
