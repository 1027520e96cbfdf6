// summarize, translate and transcribe through createCocoon: the SDK builds the task's chat messages
// with the shared templates (the ones the client runner's task routes use) and sends them end to end,
// so the relay sees only ciphertext; without a model the cheapest text (or speech-to-text) model of
// models.list answers; transcribe seals a standard multipart/form-data upload to /v1/audio/transcriptions.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_TASK_PROMPT_TEMPLATES, summarizeMessages, summaryMaxTokens, translateMessages, translationMaxTokens } from '@cocoon/protocol';
import { CocoonRequestError, createCocoon } from '@cocoon/sdk';
import { E2eTestRelay, KeySetTrustingVerifier, echoWorker } from './e2e-test-relay.ts';
import type { OpenedWorkerRequest } from './e2e-test-relay.ts';

const BASE = 'http://runner.test:10000';
const SECRET = 'Das vertrauliche Protokoll 5f1e-canary';

const worker = (id: string, price: number | undefined, coefficient = 1000) => ({
  id, object: 'model', created: 0, owned_by: 'cocoon',
  workers: [{ coefficient, ...(price === undefined ? {} : { price_per_token_nanoton: price }), running_requests: 0, max_running_requests: 8 }],
});

async function setup(model = 'test/tiny-chat') {
  const relay = await E2eTestRelay.create(undefined, `${model}@main:0123`);
  const cocoon = createCocoon({ baseURL: `${BASE}/v1`, verifier: new KeySetTrustingVerifier(), fetch: relay.fetch });
  return { relay, cocoon };
}

function assertNeverInClear(relay: E2eTestRelay, secret: string | Uint8Array): void {
  const needle = typeof secret === 'string' ? secret : Buffer.from(secret).toString('latin1');
  for (const body of relay.bodies) assert.ok(!Buffer.from(body).toString('latin1').includes(needle), 'the text reached the relay in clear');
}

/** A worker whose chat answer is `content` (what a reasoning model may say). */
const answering = (content: string, finish = 'stop') => (request: OpenedWorkerRequest) => (request.path === '/v1/chat/completions'
  ? { contentType: 'application/json', pieces: [JSON.stringify({ id: 'x', object: 'chat.completion', created: 0, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finish }], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } })] }
  : echoWorker(request));

describe('summarize and translate', () => {
  test('summarize: the shared template messages, end to end; the answer text with its receipt', async () => {
    const { relay, cocoon } = await setup();
    relay.worker = answering('<think>the user wants a summary</think>\n A short summary. ', 'length');
    const result = await cocoon.summarize({ text: SECRET, model: 'test/tiny-chat', maxWords: 40, language: 'English' });
    assert.equal(result.text, 'A short summary.');
    assert.equal(result.model, 'test/tiny-chat');
    assert.equal(result.truncated, true);
    assert.equal(result.receipt.verified, true);
    assert.deepEqual(result.usage, { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 });
    const [opened] = relay.opened;
    assert.equal(opened!.path, '/v1/chat/completions');
    assert.deepEqual(opened!.json, { model: 'test/tiny-chat', messages: summarizeMessages(DEFAULT_TASK_PROMPT_TEMPLATES, SECRET, 40, 'English'), max_tokens: summaryMaxTokens(40, 1000) });
    assert.match(String((opened!.json!.messages as Array<{ content: string }>)[0]!.content), /Use at most 40 words\. Write the summary in English\./);
    assertNeverInClear(relay, SECRET);
    assertNeverInClear(relay, 'summarization assistant');
  });

  test('translate: the shared template messages with the languages, and the translation', async () => {
    const { relay, cocoon } = await setup();
    relay.worker = answering('The confidential protocol');
    const result = await cocoon.translate({ text: SECRET, to: 'English', from: 'German', model: 'test/tiny-chat', max_coefficient: 1500 });
    assert.equal(result.text, 'The confidential protocol');
    assert.equal(result.truncated, false);
    assert.deepEqual(relay.opened[0]!.json, { model: 'test/tiny-chat', messages: translateMessages(DEFAULT_TASK_PROMPT_TEMPLATES, SECRET, 'English', 'German'), max_tokens: translationMaxTokens(SECRET, 1000) });
    assertNeverInClear(relay, SECRET);
  });

  test('without a model: the cheapest text model with a worker (not a speech model, not an idle one)', async () => {
    const { relay, cocoon } = await setup('cheap/chat');
    relay.models = [worker('openai/whisper-tiny', 1), worker('pricey/chat', 90), { ...worker('idle/chat', 0), workers: [] }, worker('cheap/chat', 20, 2000), worker('unpriced/chat', undefined, 500)];
    relay.worker = answering('Kurz.');
    const result = await cocoon.summarize({ text: SECRET });
    assert.equal(result.model, 'cheap/chat');
    assert.equal(relay.opened[0]!.json!.model, 'cheap/chat');
    assert.deepEqual(relay.opened[0]!.json!.messages, summarizeMessages(DEFAULT_TASK_PROMPT_TEMPLATES, SECRET, undefined, undefined));
    relay.models = [worker('openai/whisper-tiny', 1)];
    const none = await cocoon.translate({ text: SECRET, to: 'fr' }).catch((error: unknown) => error as CocoonRequestError);
    assert.ok(none instanceof CocoonRequestError);
    assert.equal(none.code, 'CCN_ERR_ROUTE_NO_WORKER');
    assert.equal(none.retryable, true);
  });

  test('bad input is refused before anything is sent', async () => {
    const { relay, cocoon } = await setup();
    await assert.rejects(cocoon.summarize({ text: '   ' }), { code: 'CCN_ERR_HTTP_BAD_REQUEST', param: 'text' });
    await assert.rejects(cocoon.summarize({ text: 'x', maxWords: 0 }), { code: 'CCN_ERR_HTTP_BAD_REQUEST', param: 'maxWords' });
    await assert.rejects(cocoon.translate({ text: 'x', to: '' }), { code: 'CCN_ERR_HTTP_BAD_REQUEST', param: 'to' });
    await assert.rejects(cocoon.summarize({ text: 'x'.repeat(100_001), model: 'm' }), { code: 'CCN_ERR_HTTP_BODY_TOO_LARGE' });
    assert.equal(relay.bodies.length, 0);
  });
});

describe('transcribe', () => {
  const AUDIO = Uint8Array.from({ length: 3000 }, (_, index) => (index * 7 + 3) % 256);

  test('a multipart upload sealed to /v1/audio/transcriptions: standard form fields, the bytes intact, never in clear', async () => {
    const { relay, cocoon } = await setup('openai/whisper-tiny');
    const file = new File([AUDIO], 'note "1".ogg', { type: 'audio/ogg' });
    const result = await cocoon.transcribe({ file, model: 'openai/whisper-tiny', language: 'de', prompt: 'COCOON', temperature: 0.2 });
    assert.equal(result.model, 'openai/whisper-tiny');
    assert.equal(result.receipt.verified, true);
    const [opened] = relay.opened;
    assert.equal(opened!.path, '/v1/audio/transcriptions');
    assert.match(opened!.headers['content-type']!, /^multipart\/form-data; boundary=----CocoonFormBoundary[0-9a-f]{32}$/);
    assert.equal(result.text, `heard ${opened!.body.length} bytes`);
    const form = await new Response(opened!.body, { headers: { 'content-type': opened!.headers['content-type']! } }).formData();
    assert.deepEqual([...form.keys()], ['file', 'model', 'response_format', 'language', 'prompt', 'temperature']);
    assert.equal(form.get('model'), 'openai/whisper-tiny');
    assert.equal(form.get('response_format'), 'json');
    assert.equal(form.get('language'), 'de');
    assert.equal(form.get('temperature'), '0.2');
    const uploaded = form.get('file') as File;
    assert.equal(uploaded.name, 'note "1".ogg'); // escaped on the wire as browsers do, unescaped by the parser
    assert.match(Buffer.from(opened!.body).toString('latin1'), /filename="note %221%22\.ogg"\r\nContent-Type: audio\/ogg\r\n/);
    assert.equal(uploaded.type, 'audio/ogg');
    assert.deepEqual(new Uint8Array(await uploaded.arrayBuffer()), AUDIO);
    assertNeverInClear(relay, AUDIO.subarray(100, 140));
  });

  test('bytes without a model: the cheapest speech-to-text model; the model field is its base name', async () => {
    const { relay, cocoon } = await setup('openai/whisper-small');
    relay.models = [worker('test/tiny-chat', 1), worker('openai/whisper-large', 50), worker('openai/whisper-small', 10)];
    const result = await cocoon.transcribe({ file: AUDIO });
    assert.equal(result.model, 'openai/whisper-small');
    const form = await new Response(relay.opened[0]!.body, { headers: { 'content-type': relay.opened[0]!.headers['content-type']! } }).formData();
    assert.equal(form.get('model'), 'openai/whisper-small');
    assert.equal((form.get('file') as File).name, 'audio');
    await assert.rejects(cocoon.transcribe({ file: new Uint8Array(0) }), { code: 'CCN_ERR_HTTP_BAD_REQUEST', param: 'file' });
    await assert.rejects(cocoon.transcribe({ file: 'audio.ogg' as never }), { code: 'CCN_ERR_HTTP_BAD_REQUEST', param: 'file' });
  });

  test("the worker's refusal of an upload keeps its code", async () => {
    const { relay, cocoon } = await setup('openai/whisper-small');
    relay.worker = () => ({ status: 400, contentType: 'application/json', pieces: [JSON.stringify({ error: { message: "'file' must be audio", code: 'CCN_ERR_WORKER_INVALID_REQUEST', param: 'file' } })] });
    await assert.rejects(cocoon.transcribe({ file: AUDIO, model: 'openai/whisper-small' }), { code: 'CCN_ERR_WORKER_INVALID_REQUEST', status: 400, param: 'file' });
  });
});
