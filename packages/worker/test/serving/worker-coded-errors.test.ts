/**
 * The worker's final errors with the coded-errors extension (docs/protocol.md §19): on a proxy session
 * that negotiated `errorCodes` every failure is ext.proxyQueryAnswerErrorCoded with its CCN_ERR_* code
 * and the reference fields unchanged; without it the reference proxy.queryAnswerErrorEx, no ccn_code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CocoonError, DEV_NETWORK_PARAMS, StaticNetworkParamsSource, WireErrorCode, createLogger, encodeHttpRequest, extensionsOfAlpn } from '@cocoon/protocol';
import type { SessionExtension, TlObject } from '@cocoon/protocol';
import { WorkerQueryHandler } from '../../src/serving/worker-query-handler.ts';
import { WorkerStats } from '../../src/serving/worker-stats.ts';
import { AnswerSendWindow } from '../../src/serving/answer-send-window.ts';
import type { EngineRequest, EngineResponse, InferenceEngine } from '../../src/engine/index.ts';

/** Test double: an engine whose answer each test scripts. */
class ScriptedEngine implements InferenceEngine {
  constructor(private readonly answer: (request: EngineRequest) => Promise<EngineResponse>) {}
  forward(request: EngineRequest): Promise<EngineResponse> { return this.answer(request); }
  async health() { return { ok: true, models: [] }; }
  async close() {}
}

const NEGOTIATED = extensionsOfAlpn('cocoon-ext-1');
const REFERENCE = extensionsOfAlpn(undefined);
const chat = { model: 'Qwen/Qwen3-8B', messages: [{ role: 'user', content: 'hi' }] };

function handlerWith(engine: InferenceEngine, maxActiveRequests = 4): WorkerQueryHandler {
  const now = () => 1_700_000_000_000;
  return new WorkerQueryHandler({
    engine, modelBaseName: 'Qwen/Qwen3-8B', params: new StaticNetworkParamsSource(DEV_NETWORK_PARAMS), maxActiveRequests,
    stats: new WorkerStats(now), logger: createLogger('worker', { level: 'error' }), now,
  });
}

function runQuery(body: Record<string, unknown>): TlObject {
  return {
    _: 'proxy.runQueryEx',
    query: encodeHttpRequest({ method: 'POST', url: '/v1/chat/completions', httpVersion: 'HTTP/1.1', headers: [['Content-Type', 'application/json']], payload: Buffer.from(JSON.stringify(body)) }),
    signed_payment: { _: 'proxy.signedPaymentEmpty' }, coefficient: 1000n, timeout: 10, request_id: Buffer.alloc(32, 7), flags: 1, enable_debug: false,
  };
}

async function serve(handler: WorkerQueryHandler, query: TlObject, extensions: ReadonlySet<SessionExtension>): Promise<TlObject[]> {
  const sent: TlObject[] = [];
  await handler.serve(query, (message) => sent.push(message), { signal: new AbortController().signal, window: new AnswerSendWindow(undefined, false), extensions });
  return sent;
}

const failingEngine = (error: Error) => new ScriptedEngine(async () => { throw error; });

test('every failure carries its own code where the proxy negotiated errorCodes', async () => {
  const cases: Array<[InferenceEngine, Record<string, unknown>, string, number]> = [
    [failingEngine(new Error('never called')), { ...chat, frobnicate: true }, 'CCN_ERR_WORKER_INVALID_REQUEST', WireErrorCode.protoViolation],
    [failingEngine(new CocoonError('CCN_ERR_ENGINE_UNAVAILABLE', 'connect ECONNREFUSED')), chat, 'CCN_ERR_ENGINE_UNAVAILABLE', WireErrorCode.notReady],
    [failingEngine(new CocoonError('CCN_ERR_TIMEOUT', 'worker: timeout')), chat, 'CCN_ERR_TIMEOUT', WireErrorCode.timeout],
    [failingEngine(new Error('socket hang up')), chat, 'CCN_ERR_ENGINE_FAILED', WireErrorCode.failure],
  ];
  for (const [engine, body, code, wire] of cases) {
    const [error, ...rest] = await serve(handlerWith(engine), runQuery(body), NEGOTIATED);
    assert.equal(rest.length, 0);
    assert.equal(error!._, 'ext.proxyQueryAnswerErrorCoded', code);
    assert.equal(error!.ccn_code, code);
    assert.equal(error!.error_code, wire, code);
    assert.equal(error!.flags, 1);
    assert.equal((error!.final_info as TlObject)._, 'proxy.queryFinalInfo');
  }
});

test('an overloaded worker says CCN_ERR_WORKER_OVERLOADED on a coded session, the reference message on a reference one', async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => { release = resolve; });
  const handler = handlerWith(new ScriptedEngine(async () => {
    await gate;
    return { status: 200, headers: {}, body: (async function* () { yield Buffer.from('{}'); })() };
  }), 1);
  const first = serve(handler, runQuery(chat), NEGOTIATED);
  const [coded] = await serve(handler, runQuery(chat), NEGOTIATED);
  assert.equal(coded!._, 'ext.proxyQueryAnswerErrorCoded');
  assert.equal(coded!.ccn_code, 'CCN_ERR_WORKER_OVERLOADED');
  const [plain] = await serve(handler, runQuery(chat), REFERENCE);
  assert.equal(plain!._, 'proxy.queryAnswerErrorEx');
  assert.deepEqual(Object.keys(plain!).sort(), ['_', 'error', 'error_code', 'final_info', 'flags', 'request_id']);
  assert.equal(plain!.error_code, coded!.error_code);
  assert.equal(plain!.error, coded!.error);
  release();
  assert.equal((await first)[0]!._, 'proxy.queryAnswerEx');
});
