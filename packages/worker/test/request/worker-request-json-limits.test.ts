/**
 * The worker's request validation runs the shared strict JSON checker before JSON.parse: too deep
 * or too large JSON is a 400-class CCN_ERR_WORKER_INVALID_REQUEST and never reaches the engine
 * (it used to overflow the stack in the stream rewrite and come back as CCN_ERR_ENGINE_FAILED);
 * duplicate keys keep the reference's message.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CocoonError, DEV_NETWORK_PARAMS, StaticNetworkParamsSource, ERROR_TABLE, WireErrorCode, createLogger, encodeHttpRequest } from '@cocoon/protocol';
import type { TlObject } from '@cocoon/protocol';
import { validateWorkerRequest } from '../../src/request/index.ts';
import { WorkerQueryHandler } from '../../src/serving/worker-query-handler.ts';
import { WorkerStats } from '../../src/serving/worker-stats.ts';
import type { EngineRequest, EngineResponse, InferenceEngine } from '../../src/engine/index.ts';

const MODEL = 'Qwen/Qwen3-8B';

/** A chat body whose tool schema holds `levels` nested arrays (4 levels of object and array around them). */
function deepChat(levels: number, stream: boolean): string {
  return `{"model":"${MODEL}","messages":[{"role":"user","content":"hi"}],"stream":${stream},"tools":[{"type":"function","function":{"name":"f","parameters":${'['.repeat(levels)}${']'.repeat(levels)}}}]}`;
}

function refusal(body: string): CocoonError {
  try {
    validateWorkerRequest({ method: 'POST', url: '/v1/chat/completions', body: Buffer.from(body), modelBaseName: MODEL });
  } catch (error) {
    assert.ok(error instanceof CocoonError, 'expected a CocoonError');
    return error;
  }
  assert.fail('the request was accepted');
}

class RecordingEngine implements InferenceEngine {
  readonly requests: EngineRequest[] = [];
  async forward(request: EngineRequest): Promise<EngineResponse> {
    this.requests.push(request);
    return { status: 200, headers: { 'content-type': 'application/json' }, body: (async function* () { yield Buffer.from('{}'); })() };
  }
  async health() { return { ok: true, models: [] }; }
  async close() {}
}

function chatQuery(body: string): TlObject {
  return {
    _: 'proxy.runQueryEx',
    query: encodeHttpRequest({ method: 'POST', url: '/v1/chat/completions', httpVersion: 'HTTP/1.1', headers: [['Content-Type', 'application/json']], payload: Buffer.from(body) }),
    signed_payment: { _: 'proxy.signedPaymentEmpty' }, coefficient: 1000n, timeout: 10, request_id: Buffer.alloc(32, 7), flags: 1, enable_debug: false,
  };
}

async function serve(body: string): Promise<{ sent: TlObject[]; engine: RecordingEngine }> {
  const engine = new RecordingEngine();
  const now = () => 1_700_000_000_000;
  const handler = new WorkerQueryHandler({
    engine, modelBaseName: MODEL, params: new StaticNetworkParamsSource(DEV_NETWORK_PARAMS), maxActiveRequests: 4, stats: new WorkerStats(now), logger: createLogger('worker', { level: 'error', write: () => undefined }), now,
  });
  const sent: TlObject[] = [];
  await handler.serve(chatQuery(body), (message) => sent.push(message));
  return { sent, engine };
}

describe('worker request validation: JSON structure limits', () => {
  for (const levels of [5_000, 100_000]) {
    test(`${levels} nested levels are refused as an invalid request (400 class), not an engine failure`, () => {
      const error = refusal(deepChat(levels, true));
      assert.equal(error.code, 'CCN_ERR_WORKER_INVALID_REQUEST');
      assert.equal(error.httpStatus, 400);
      assert.equal(error.message, 'worker: invalid http request: JSON is nested deeper than 64 levels');
      assert.equal(error.param, 'body');
    });
  }

  test('a streamed too-deep request through the query handler never reaches the engine', async () => {
    const { sent, engine } = await serve(deepChat(5_000, true));
    assert.equal(engine.requests.length, 0);
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!._, 'proxy.queryAnswerErrorEx');
    assert.equal(sent[0]!.error_code, WireErrorCode.protoViolation);
    assert.equal(sent[0]!.error_code, ERROR_TABLE.CCN_ERR_WORKER_INVALID_REQUEST.wire);
    assert.match(sent[0]!.error as string, /nested deeper than 64 levels/);
  });

  test('nesting within the limit is accepted and forwarded (60 levels inside a tool schema)', async () => {
    const { sent, engine } = await serve(deepChat(60, true));
    assert.equal(engine.requests.length, 1);
    assert.equal(sent[0]!._, 'proxy.queryAnswerEx');
    assert.equal(JSON.parse(engine.requests[0]!.body.toString()).stream_options.include_usage, true, 'the stream rewrite ran');
  });

  test('more values than the cap are refused before parsing', () => {
    const keys = Array.from({ length: 100_001 }, (_, index) => `"k${index}":0`).join(',');
    const error = refusal(`{"model":"${MODEL}","messages":[],"metadata":{${keys}}}`);
    assert.equal(error.code, 'CCN_ERR_WORKER_INVALID_REQUEST');
    assert.equal(error.message, 'worker: invalid http request: JSON has more than 100000 values');
  });

  test('duplicate keys keep the reference message; equal keys in sibling objects and keys inside strings are fine', () => {
    const nested = refusal(`{"model":"${MODEL}","messages":[{"role":"user","content":"a","\\u0063ontent":"b"}]}`);
    assert.equal(nested.message, "worker: invalid http request: duplicate key 'content'");
    assert.equal(nested.param, 'content');
    const accepted = validateWorkerRequest({
      method: 'POST', url: '/v1/chat/completions', modelBaseName: MODEL,
      body: Buffer.from(`{"model":"${MODEL}","messages":[{"role":"user","content":"{\\"model\\":1,\\"model\\":2}"},{"role":"assistant","content":"x"}]}`),
    });
    assert.equal(accepted.kind, 'chat');
  });

  test('text the checker finds broken is still "body is not valid JSON"', () => {
    for (const body of ['{"model":', '{"model" "x"}', '[1,]', '', '{"a":1} {"b":2}']) {
      assert.equal(refusal(body).message, 'worker: invalid http request: body is not valid JSON', body);
    }
  });
});
