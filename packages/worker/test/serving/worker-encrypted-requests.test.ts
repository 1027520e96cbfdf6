/**
 * The worker's side of proto-3 encrypted requests (docs/protocol.md §20) with a scripted engine double:
 * the engine sees the decrypted request without the envelope, every answer object (the plain answer,
 * each SSE chunk) leaves encrypted back to the app with its own nonce and with the cost fields, and
 * every refusal is the reference's, with its CCN_ERR_ENCRYPTION_* code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEV_NETWORK_PARAMS, SseAnswerDecryptor, StaticNetworkParamsSource, createLogger, decodeHttpResponse, decryptAnswer, ed25519PublicKeyOf, encodeHttpRequest,
  encryptRequest, extensionsOfAlpn, sealFormFields,
} from '@cocoon/protocol';
import type { JsonObject, TlObject } from '@cocoon/protocol';
import { WorkerQueryHandler } from '../../src/serving/worker-query-handler.ts';
import { WorkerStats } from '../../src/serving/worker-stats.ts';
import { AnswerSendWindow } from '../../src/serving/answer-send-window.ts';
import type { EngineRequest, EngineResponse, InferenceEngine } from '../../src/engine/index.ts';

/** Test double: an engine whose answer each test scripts; it records what it was sent. */
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

async function* spacedChunks(...parts: string[]): AsyncIterable<Buffer> {
  for (const part of parts) {
    await new Promise((resolve) => setTimeout(resolve, 2));
    yield Buffer.from(part);
  }
}

const networkKey = new Uint8Array(32).fill(0x22); // what the key manager gave the proxy
const networkPublic = ed25519PublicKeyOf(networkKey);
const app = { senderKey: new Uint8Array(32).fill(0x11), receiverPublicKey: networkPublic };
const USAGE = { prompt_tokens: 10, completion_tokens: 5 };
const chat = { model: 'Qwen/Qwen3-8B', messages: [{ role: 'user', content: 'the secret prompt' }], max_tokens: 16 };
const CODED = extensionsOfAlpn('cocoon-ext-1');

function handlerWith(engine: InferenceEngine): WorkerQueryHandler {
  const now = () => 1_700_000_000_000;
  return new WorkerQueryHandler({
    engine, modelBaseName: 'Qwen/Qwen3-8B', params: new StaticNetworkParamsSource(DEV_NETWORK_PARAMS), maxActiveRequests: 4,
    stats: new WorkerStats(now), logger: createLogger('worker', { level: 'error' }), now,
  });
}

/** proxy.runQueryEx as a proto-3 proxy sends it: flag bit 1 always, the key or 32 zero bytes. */
function runQuery(body: string | Buffer, options: { key?: Uint8Array | 'zero' | 'none'; url?: string; contentType?: string } = {}): TlObject {
  const key = options.key ?? networkKey;
  const keyFields = key === 'none' ? { flags: 1 } : { flags: 3, private_key: key === 'zero' ? Buffer.alloc(32) : Buffer.from(key) };
  return {
    _: 'proxy.runQueryEx',
    query: encodeHttpRequest({
      method: 'POST', url: options.url ?? '/v1/chat/completions', httpVersion: 'HTTP/1.1',
      headers: [['Content-Type', options.contentType ?? 'application/json']], payload: Buffer.from(body),
    }),
    signed_payment: { _: 'proxy.signedPaymentEmpty' }, coefficient: 1000n, timeout: 10, request_id: Buffer.alloc(32, 7), enable_debug: false, ...keyFields,
  };
}

async function serve(handler: WorkerQueryHandler, query: TlObject): Promise<TlObject[]> {
  const sent: TlObject[] = [];
  await handler.serve(query, (message) => sent.push(message), { signal: new AbortController().signal, window: new AnswerSendWindow(undefined, false), extensions: CODED });
  return sent;
}

const jsonAnswer = (body: unknown) => new ScriptedEngine(async () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: spacedChunks(JSON.stringify(body)) }));

test('an encrypted chat request: the engine gets it in clear without the envelope; the answer goes back encrypted with its costs', async () => {
  const engine = jsonAnswer({ id: 'x', object: 'chat.completion', choices: [{ message: { role: 'assistant', content: 'the secret answer' } }], usage: USAGE });
  const [answer, ...rest] = await serve(handlerWith(engine), runQuery(encryptRequest(chat, app)));
  assert.equal(rest.length, 0);
  assert.equal(answer!._, 'proxy.queryAnswerEx');
  const forwarded = JSON.parse(engine.requests[0]!.body.toString()) as JsonObject;
  assert.deepEqual(forwarded, chat);
  const payload = decodeHttpResponse(answer!.answer as Buffer).payload.toString();
  assert.doesNotMatch(payload, /secret answer|chat\.completion/);
  const clear = decryptAnswer(payload, app);
  assert.equal((((clear.choices as JsonObject[])[0]!.message) as JsonObject).content, 'the secret answer');
  assert.equal((clear.usage as JsonObject).total_cost, 15 * 20); // added before encryption, readable (numbers stay clear)
  assert.equal(((answer!.final_info as TlObject).tokens_used as TlObject).total_tokens_used, 15n);
});

test('a streamed answer: every SSE chunk is encrypted on its own (fresh nonce), [DONE] stays', async () => {
  const events = ['a', 'b', 'c'].map((content) => `data: {"choices":[{"delta":{"content":"${content}"}}]}\n\n`);
  const engine = new ScriptedEngine(async () => ({
    status: 200, headers: { 'content-type': 'text/event-stream' },
    body: spacedChunks(...events, `data: ${JSON.stringify({ choices: [], usage: USAGE })}\n\ndata: [DONE]\n\n`),
  }));
  const sent = await serve(handlerWith(engine), runQuery(encryptRequest({ ...chat, stream: true }, app)));
  const text = sent.map((message, index) => (index === 0 ? decodeHttpResponse(message.answer as Buffer).payload : (message.answer as Buffer)).toString()).join('');
  const nonces = [...text.matchAll(/"encryption_nonce":"([^"]+)"/g)].map((match) => match[1]);
  assert.equal(nonces.length, 4);
  assert.equal(new Set(nonces).size, 4);
  const decryptor = new SseAnswerDecryptor(app);
  const decrypted = [...decryptor.push(text), ...decryptor.end()];
  assert.deepEqual(decrypted.slice(0, 3).map((event) => event.type === 'data' && (((event.data.choices as JsonObject[])[0]!.delta as JsonObject).content)), ['a', 'b', 'c']);
  const usage = decrypted[3]!.type === 'data' ? (decrypted[3] as { data: JsonObject }).data.usage as JsonObject : {};
  assert.equal(usage.total_cost, 15 * 20);
  assert.deepEqual(decrypted[4], { type: 'done' });
  const forwarded = JSON.parse(engine.requests[0]!.body.toString()) as JsonObject;
  assert.deepEqual(forwarded.stream_options, { include_usage: true });
});

test('a proto-3 proxy sends 32 zero bytes for a clear request: served in clear', async () => {
  const engine = jsonAnswer({ choices: [], usage: USAGE });
  const [answer] = await serve(handlerWith(engine), runQuery(JSON.stringify(chat), { key: 'zero' }));
  assert.equal(answer!._, 'proxy.queryAnswerEx');
  assert.deepEqual(JSON.parse(decodeHttpResponse(answer!.answer as Buffer).payload.toString()).usage.prompt_tokens, 10);
});

test('refusals, as the reference words them, with their codes; the engine is never called', async () => {
  const sealed = JSON.parse(encryptRequest(chat, app)) as JsonObject;
  const cases: Array<[TlObject, string, RegExp]> = [
    [runQuery(JSON.stringify(sealed), { key: 'none' }), 'CCN_ERR_ENCRYPTION_NO_KEY', /^worker: invalid http request: cannot find private key for an encrypted request$/],
    [runQuery(JSON.stringify(sealed), { key: 'zero' }), 'CCN_ERR_ENCRYPTION_NO_KEY', /cannot find private key/],
    [runQuery(JSON.stringify(chat)), 'CCN_ERR_ENCRYPTION_UNEXPECTED_KEY', /^worker: invalid http request: encryption key is provided, but request is unencrypted$/],
    [runQuery(JSON.stringify({ ...sealed, encryption_nonce: undefined })), 'CCN_ERR_ENCRYPTION_ENVELOPE', /not all encryption-related fields are present/],
    [runQuery(JSON.stringify(sealed), { key: new Uint8Array(32).fill(0x33) }), 'CCN_ERR_ENCRYPTION_KEY_MISMATCH', /: public key mismatch$/],
    [runQuery(JSON.stringify({ ...sealed, messages: [{ role: 'user', content: 'clear text' }] })), 'CCN_ERR_ENCRYPTION_BAD_VALUE', /bad encryption method/],
    [runQuery(JSON.stringify({ ...sealed, model: 'other/model' })), 'CCN_ERR_WORKER_INVALID_REQUEST', /model name mismatch/],
    [runQuery(JSON.stringify({ ...sealed, frobnicate: 1 })), 'CCN_ERR_WORKER_INVALID_REQUEST', /unknown option 'frobnicate'/],
  ];
  for (const [query, code, text] of cases) {
    const engine = jsonAnswer({});
    const [error, ...rest] = await serve(handlerWith(engine), query);
    assert.equal(rest.length, 0);
    assert.equal(error!._, 'ext.proxyQueryAnswerErrorCoded');
    assert.equal(error!.ccn_code, code, String(error!.error));
    assert.match(error!.error as string, text);
    assert.doesNotMatch(error!.error as string, /secret prompt|clear text/);
    assert.equal(engine.requests.length, 0);
  }
});

test('a clear request naming envelope fields is accepted without them, as the reference does (they are not options)', async () => {
  const engine = jsonAnswer({ choices: [] });
  const [answer] = await serve(handlerWith(engine), runQuery(JSON.stringify({ ...chat, receiver_public_key: 'ab'.repeat(32) }), { key: 'none' }));
  assert.equal(answer!._, 'proxy.queryAnswerEx');
  assert.deepEqual(JSON.parse(engine.requests[0]!.body.toString()), chat);
});

test('an answer the encryption cannot carry fails the request instead of leaving in clear', async () => {
  const engine = new ScriptedEngine(async () => ({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: spacedChunks('data: plain words\n\n') }));
  const sent = await serve(handlerWith(engine), runQuery(encryptRequest({ ...chat, stream: true }, app)));
  assert.equal(sent.length, 1);
  assert.equal(sent[0]!.ccn_code, 'CCN_ERR_ENGINE_FAILED');
  assert.doesNotMatch(String(sent[0]!.error), /plain words/);
});

test('an encrypted transcription form: every field but model decrypted (the audio bytes exact), the envelope parts removed', async () => {
  const audio = Buffer.from([0, 1, 2, 0xff, 0x0d, 0x0a, 0x2d, 0x2d]);
  const sealed = sealFormFields([
    { name: 'model', value: Buffer.from('Qwen/Qwen3-8B') }, { name: 'file', value: audio }, { name: 'response_format', value: Buffer.from('json') },
  ], { senderPrivateKey: app.senderKey, receiverPublicKey: networkPublic, direction: 'c' });
  const boundary = 'cocoon-boundary-1';
  const part = (name: string, value: Uint8Array) => Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"${name === 'file' ? '; filename="a.wav"\r\nContent-Type: audio/wav' : ''}\r\n\r\n`), value, Buffer.from('\r\n'),
  ]);
  const body = Buffer.concat([...sealed.map((field) => part(field.name, field.value)), Buffer.from(`--${boundary}--\r\n`)]);
  const engine = jsonAnswer({ text: 'transcribed secret', usage: { type: 'tokens', input_tokens: 3, output_tokens: 2, total_tokens: 5 } });
  const [answer] = await serve(handlerWith(engine), runQuery(body, { url: '/v1/audio/transcriptions', contentType: `multipart/form-data; boundary=${boundary}` }));
  assert.equal(answer!._, 'proxy.queryAnswerEx', String(answer!.error));
  const forwarded = engine.requests[0]!.body;
  assert.ok(forwarded.includes(Buffer.concat([Buffer.from('Content-Type: audio/wav\r\n\r\n'), audio, Buffer.from('\r\n')])));
  assert.ok(!forwarded.includes(Buffer.from('encryption_nonce')) && !forwarded.includes(Buffer.from('ENC_')));
  assert.equal(decryptAnswer(decodeHttpResponse(answer!.answer as Buffer).payload.toString(), app).text, 'transcribed secret');
});
