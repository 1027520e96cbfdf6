/** The worker's request handling with a scripted engine double: answers, billing, and every failure path. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CocoonError, DEV_NETWORK_PARAMS, StaticNetworkParamsSource, WireErrorCode, createLogger, decodeHttpResponse, encodeHttpRequest } from '@cocoon/protocol';
import type { TlObject } from '@cocoon/protocol';
import { WorkerQueryHandler } from '../../src/serving/worker-query-handler.ts';
import { WorkerStats } from '../../src/serving/worker-stats.ts';
import type { EngineRequest, EngineResponse, InferenceEngine } from '../../src/engine/index.ts';

/** Test double: an engine whose answer each test scripts. */
class ScriptedEngine implements InferenceEngine {
  requests: EngineRequest[] = [];
  constructor(private readonly answer: (request: EngineRequest) => Promise<EngineResponse>) {}
  forward(request: EngineRequest): Promise<EngineResponse> {
    this.requests.push(request);
    return this.answer(request);
  }
  async health() { return { ok: true, models: [] }; }
  async close() {}
}

async function* chunks(...parts: string[]): AsyncIterable<Buffer> {
  for (const part of parts) yield Buffer.from(part);
}

/** Chunks as a network delivers them: one event-loop turn apart. */
async function* spacedChunks(...parts: string[]): AsyncIterable<Buffer> {
  for (const part of parts) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    yield Buffer.from(part);
  }
}

const USAGE = { prompt_tokens: 34, prompt_tokens_details: { cached_tokens: 11 }, completion_tokens: 100, completion_tokens_details: { reasoning_tokens: 10 } };

function handlerWith(engine: InferenceEngine, maxActiveRequests = 4): WorkerQueryHandler {
  const now = () => 1_700_000_000_000;
  return new WorkerQueryHandler({
    engine, modelBaseName: 'Qwen/Qwen3-8B', params: new StaticNetworkParamsSource(DEV_NETWORK_PARAMS), maxActiveRequests,
    stats: new WorkerStats(now), logger: createLogger('worker', { level: 'error' }), now,
  });
}

function runQuery(body: Record<string, unknown>, url = '/v1/chat/completions'): TlObject {
  return {
    _: 'proxy.runQueryEx',
    query: encodeHttpRequest({ method: 'POST', url, httpVersion: 'HTTP/1.1', headers: [['Content-Type', 'application/json']], payload: Buffer.from(JSON.stringify(body)) }),
    signed_payment: { _: 'proxy.signedPaymentEmpty' }, coefficient: 1000n, timeout: 10, request_id: Buffer.alloc(32, 7), flags: 1, enable_debug: false,
  };
}

async function serve(handler: WorkerQueryHandler, query: TlObject): Promise<TlObject[]> {
  const sent: TlObject[] = [];
  await handler.serve(query, (message) => sent.push(message));
  return sent;
}

const chat = { model: 'Qwen/Qwen3-8B', messages: [{ role: 'user', content: 'hi' }] };

test('a non-streamed answer goes back in one message with final_info and adjusted tokens', async () => {
  const engine = new ScriptedEngine(async () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: chunks(JSON.stringify({ choices: [], usage: USAGE })) }));
  const [answer, ...rest] = await serve(handlerWith(engine), runQuery(chat));
  assert.equal(rest.length, 0);
  assert.equal(answer!._, 'proxy.queryAnswerEx');
  assert.equal(answer!.flags, 1);
  const tokens = (answer!.final_info as TlObject).tokens_used as TlObject;
  assert.deepEqual([tokens.prompt_tokens_used, tokens.cached_tokens_used, tokens.completion_tokens_used, tokens.reasoning_tokens_used, tokens.total_tokens_used], [23n, 11n, 90n, 10n, 134n]);
  const body = JSON.parse(decodeHttpResponse(answer!.answer as Buffer).payload.toString()) as { usage: { total_cost: number } };
  assert.equal(body.usage.total_cost, 134 * 20);
});

test('an SSE answer is streamed part by part and its usage is billed', async () => {
  const engine = new ScriptedEngine(async () => ({
    status: 200, headers: { 'content-type': 'text/event-stream' },
    body: spacedChunks('data: {"choices":[{"delta":{"content":"a"}}]}\n\n', 'data: {"choices":[{"delta":{"content":"b"}}]}\n\n', `data: ${JSON.stringify({ choices: [], usage: USAGE })}\n\ndata: [DONE]\n\n`),
  }));
  const sent = await serve(handlerWith(engine), runQuery({ ...chat, stream: true }));
  assert.deepEqual(sent.map((message) => message._), ['proxy.queryAnswerEx', 'proxy.queryAnswerPartEx', 'proxy.queryAnswerPartEx']);
  assert.equal(sent[0]!.flags, 0);
  assert.match(decodeHttpResponse(sent[0]!.answer as Buffer).payload.toString(), /"content":"a"/, 'headers travel with the first bytes');
  const last = sent[sent.length - 1]!;
  assert.equal(last.flags, 1);
  assert.equal(((last.final_info as TlObject).tokens_used as TlObject).total_tokens_used, 134n);
  const forwarded = JSON.parse(engine.requests[0]!.body.toString()) as { stream_options: { include_usage: boolean } };
  assert.equal(forwarded.stream_options.include_usage, true, 'usage is requested from the engine');
});

test('chunks that arrive together travel as one part, in order', async () => {
  const events = ['data: {"n":1}\n\n', 'data: {"n":2}\n\n', 'data: {"n":3}\n\n'];
  const engine = new ScriptedEngine(async () => ({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: chunks(...events, 'data: [DONE]\n\n') }));
  const sent = await serve(handlerWith(engine), runQuery({ ...chat, stream: true }));
  assert.ok(sent.length <= 2, `coalesced into ${sent.length} messages`);
  const body = Buffer.concat([decodeHttpResponse(sent[0]!.answer as Buffer).payload, ...sent.slice(1).map((message) => message.answer as Buffer)]).toString();
  assert.equal(body, events.join('') + 'data: [DONE]\n\n');
});

test('an invalid request never reaches the engine', async () => {
  const engine = new ScriptedEngine(async () => { throw new Error('must not be called'); });
  const [error] = await serve(handlerWith(engine), runQuery({ ...chat, frobnicate: true }));
  assert.equal(error!._, 'proxy.queryAnswerErrorEx');
  assert.equal(error!.error_code, WireErrorCode.protoViolation);
  assert.match(error!.error as string, /unknown option 'frobnicate'/);
  assert.equal(engine.requests.length, 0);
});

test('an unreachable engine is reported as not ready (so the proxy may retry elsewhere)', async () => {
  const engine = new ScriptedEngine(async () => { throw new CocoonError('CCN_ERR_ENGINE_UNAVAILABLE', 'connect ECONNREFUSED'); });
  const [error] = await serve(handlerWith(engine), runQuery(chat));
  assert.equal(error!.error_code, WireErrorCode.notReady);
});

test('an engine timeout is reported with the timeout code', async () => {
  const engine = new ScriptedEngine(async () => { throw new CocoonError('CCN_ERR_TIMEOUT', 'worker: timeout'); });
  const [error] = await serve(handlerWith(engine), runQuery(chat));
  assert.equal(error!.error_code, WireErrorCode.timeout);
});

test('a failure mid-stream reports the tokens counted so far', async () => {
  async function* broken(): AsyncIterable<Buffer> {
    yield Buffer.from(`data: ${JSON.stringify({ choices: [], usage: USAGE })}\n\n`);
    throw new CocoonError('CCN_ERR_ENGINE_FAILED', 'socket hang up');
  }
  const engine = new ScriptedEngine(async () => ({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: broken() }));
  const sent = await serve(handlerWith(engine), runQuery({ ...chat, stream: true }));
  const error = sent[sent.length - 1]!;
  assert.equal(error._, 'proxy.queryAnswerErrorEx');
  assert.equal(((error.final_info as TlObject).tokens_used as TlObject).total_tokens_used, 134n);
});

test('requests beyond max_active_requests are refused immediately', async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => { release = resolve; });
  const engine = new ScriptedEngine(async () => {
    await gate;
    return { status: 200, headers: {}, body: chunks('{}') };
  });
  const handler = handlerWith(engine, 1);
  const first = serve(handler, runQuery(chat));
  const [refused] = await serve(handler, runQuery(chat));
  assert.equal(refused!.error_code, WireErrorCode.notReady);
  assert.match(refused!.error as string, /too many active queries/);
  release();
  assert.equal((await first)[0]!._, 'proxy.queryAnswerEx');
});
