/**
 * Audio transcriptions through the worker: the request dispatcher picks the multipart validator,
 * the query handler forwards the body and its Content-Type unchanged to the engine's
 * /v1/audio/transcriptions, and bills the transcription usage shapes (tokens; duration → 0 with a warning).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CocoonError, DEV_NETWORK_PARAMS, StaticNetworkParamsSource, WireErrorCode, createLogger, decodeHttpResponse, encodeHttpRequest } from '@cocoon/protocol';
import type { TlObject } from '@cocoon/protocol';
import { validateInferenceRequest } from '../../src/request/index.ts';
import { WorkerQueryHandler } from '../../src/serving/worker-query-handler.ts';
import { WorkerStats } from '../../src/serving/worker-stats.ts';
import type { EngineRequest, EngineResponse, InferenceEngine } from '../../src/engine/index.ts';

const BOUNDARY = 'audio-boundary-1';
const CONTENT_TYPE = `multipart/form-data; boundary=${BOUNDARY}`;
const AUDIO = Buffer.from([0x52, 0x49, 0x46, 0x46, 0x00, 0xff, 0x0d, 0x0a]);

function form(fields: Record<string, string>): Buffer {
  const parts = [Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\n`), AUDIO, Buffer.from('\r\n')];
  for (const [name, value] of Object.entries(fields)) parts.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  parts.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(parts);
}

class ScriptedEngine implements InferenceEngine {
  requests: EngineRequest[] = [];
  constructor(private readonly answer: () => EngineResponse) {}
  async forward(request: EngineRequest): Promise<EngineResponse> {
    this.requests.push(request);
    return this.answer();
  }
  async health() { return { ok: true, models: [] }; }
  async close() {}
}

async function* once(text: string): AsyncIterable<Buffer> {
  yield Buffer.from(text);
}

function handlerWith(engine: InferenceEngine, warnings: string[] = []): WorkerQueryHandler {
  const now = () => 1_700_000_000_000;
  const logger = createLogger('worker', { level: 'warn', write: (line) => warnings.push(line) });
  return new WorkerQueryHandler({ engine, modelBaseName: 'whisper-large-v3', params: new StaticNetworkParamsSource(DEV_NETWORK_PARAMS), maxActiveRequests: 4, stats: new WorkerStats(now), logger, now });
}

function audioQuery(body: Buffer, contentType = CONTENT_TYPE): TlObject {
  return {
    _: 'proxy.runQueryEx',
    query: encodeHttpRequest({ method: 'POST', url: '/v1/audio/transcriptions', httpVersion: 'HTTP/1.1', headers: [['Content-Type', contentType]], payload: body }),
    signed_payment: { _: 'proxy.signedPaymentEmpty' }, coefficient: 1000n, timeout: 10, request_id: Buffer.alloc(32, 9), flags: 1, enable_debug: false,
  };
}

async function serve(handler: WorkerQueryHandler, query: TlObject): Promise<TlObject[]> {
  const sent: TlObject[] = [];
  await handler.serve(query, (message) => sent.push(message));
  return sent;
}

const tokensOf = (message: TlObject | undefined) => {
  const used = (message?.final_info as TlObject).tokens_used as TlObject;
  return [used.prompt_tokens_used, used.completion_tokens_used, used.total_tokens_used];
};

test('the dispatcher validates transcriptions as multipart and chat as JSON; other paths are unsupported', () => {
  const body = form({ model: 'whisper-large-v3', response_format: 'json' });
  const validated = validateInferenceRequest({ method: 'POST', url: '/v1/audio/transcriptions', headers: { 'content-type': CONTENT_TYPE }, body, modelBaseName: 'whisper-large-v3' });
  assert.equal(validated.kind, 'transcription');
  assert.equal(validated.body, body, 'forwarded byte for byte');
  const chat = validateInferenceRequest({ method: 'POST', url: '/v1/chat/completions', headers: {}, body: Buffer.from('{"model":"m","messages":[]}'), modelBaseName: 'm' });
  assert.equal(chat.kind, 'chat');
  assert.throws(() => validateInferenceRequest({ method: 'POST', url: '/v1/embeddings', headers: {}, body: Buffer.from('{}'), modelBaseName: 'm' }),
    (error: unknown) => error instanceof CocoonError && error.code === 'CCN_ERR_WORKER_INVALID_REQUEST' && /unsupported method/.test(error.message));
  assert.throws(() => validateInferenceRequest({ method: 'POST', url: '/v1/audio/transcriptions', headers: { 'content-type': 'application/json' }, body, modelBaseName: 'whisper-large-v3' }),
    (error: unknown) => error instanceof CocoonError && error.param === 'content-type');
});

test('a transcription is forwarded with its multipart body and Content-Type, and its token usage is billed', async () => {
  const usage = { type: 'tokens', input_tokens: 120, output_tokens: 30, total_tokens: 150 };
  const engine = new ScriptedEngine(() => ({ status: 200, headers: { 'content-type': 'application/json' }, body: once(JSON.stringify({ text: 'hello', usage })) }));
  const body = form({ model: 'whisper-large-v3', response_format: 'json' });
  const [answer] = await serve(handlerWith(engine), audioQuery(body));
  assert.equal(answer!._, 'proxy.queryAnswerEx');
  const forwarded = engine.requests[0]!;
  assert.equal(forwarded.path, '/v1/audio/transcriptions');
  assert.equal(forwarded.headers['content-type'], CONTENT_TYPE);
  assert.ok(forwarded.body.equals(body));
  assert.deepEqual(tokensOf(answer), [120n, 30n, 150n]);
  const relayed = JSON.parse(decodeHttpResponse(answer!.answer as Buffer).payload.toString()) as { usage: { total_cost: number } };
  assert.equal(relayed.usage.total_cost, 150 * 20, 'costs injected into the transcription usage');
});

test('a streamed transcription gets stream_include_usage and its SSE usage is billed', async () => {
  const events = 'data: {"choices":[{"delta":{"content":"hi"}}]}\n\ndata: {"choices":[],"usage":{"prompt_tokens":50,"completion_tokens":5,"total_tokens":55}}\n\ndata: [DONE]\n\n';
  const engine = new ScriptedEngine(() => ({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: once(events) }));
  const sent = await serve(handlerWith(engine), audioQuery(form({ model: 'whisper-large-v3', stream: 'true' })));
  assert.match(engine.requests[0]!.body.toString('latin1'), /name="stream_include_usage"\r\n\r\ntrue/);
  assert.deepEqual(tokensOf(sent.at(-1)), [50n, 5n, 55n]);
});

test('a duration-only usage is billed 0 tokens and logged as a warning', async () => {
  const engine = new ScriptedEngine(() => ({ status: 200, headers: { 'content-type': 'application/json' }, body: once('{"text":"hello","usage":{"type":"duration","seconds":7}}') }));
  const warnings: string[] = [];
  const [answer] = await serve(handlerWith(engine, warnings), audioQuery(form({ model: 'whisper-large-v3' })));
  assert.deepEqual(tokensOf(answer), [0n, 0n, 0n]);
  assert.ok(warnings.some((line) => line.includes('duration') && line.includes('billed 0 tokens') && line.includes('7')), warnings.join('\n'));
});

test('a wrong model or a broken form never reaches the engine', async () => {
  const engine = new ScriptedEngine(() => { throw new Error('must not be called'); });
  const [error] = await serve(handlerWith(engine), audioQuery(form({ model: 'other-model' })));
  assert.equal(error!._, 'proxy.queryAnswerErrorEx');
  assert.equal(error!.error_code, WireErrorCode.protoViolation);
  assert.match(error!.error as string, /model name mismatch/);
  assert.equal(engine.requests.length, 0);
});
