/**
 * POST /v1/audio/transcriptions on the HTTP edge: multipart checks, default audio model (inserted
 * into the form), byte-for-byte forwarding, answer relay, and the clear "no worker serves audio"
 * errors.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CocoonError } from '@cocoon/protocol';
import type { GatewayModel } from '../../../src/http/index.ts';
import { parseMultipartForm } from '../../../src/http/telegram/index.ts';
import { nextChunk, openRequest, send } from '../http-test-client.ts';
import { ChunkChannel, abortReason, jsonAnswer } from '../fake-inference-gateway.ts';
import { startTestServer } from '../test-server.ts';
import type { TestServer } from '../test-server.ts';
import { FAKE_AUDIO, TEST_BOUNDARY, multipartBody, multipartHeaders } from './multipart-test-body.ts';

const WORKER = { coefficient: 1000, runningRequests: 0, maxRunningRequests: 2 };
const MODELS: GatewayModel[] = [
  { id: 'Qwen3-8B', workers: [WORKER] },
  { id: 'whisper-tiny', workers: [] },
  { id: 'openai/whisper-large-v3', workers: [WORKER] },
];
const TRANSCRIPT = { text: 'hello world', usage: { type: 'tokens', input_tokens: 50, output_tokens: 3, total_tokens: 53 } };
const fileParts = [{ name: 'file', value: FAKE_AUDIO, filename: 'voice.ogg', contentType: 'audio/ogg' }];

function errorOf(answer: { json: () => Record<string, unknown> }): Record<string, unknown> {
  return answer.json()['error'] as Record<string, unknown>;
}

describe('audio transcriptions', () => {
  let context: TestServer;
  let url: string;
  before(async () => {
    context = await startTestServer({ telegram: { maxAudioBytes: 2048 } });
    url = `${context.url}/v1/audio/transcriptions`;
  });
  after(() => context.server.close());
  beforeEach(() => {
    context.gateway.models = MODELS;
    context.gateway.script = async () => jsonAnswer(TRANSCRIPT, 200, { 'x-engine': 'vllm' });
  });

  test('a named model: the multipart body is forwarded unchanged and the answer relayed', async () => {
    const body = multipartBody([...fileParts, { name: 'model', value: 'my-asr' }, { name: 'response_format', value: 'json' }]);
    const answer = await send(url, { body, headers: { ...multipartHeaders(), 'x-app': 'bot' } });
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(answer.json(), TRANSCRIPT);
    assert.equal(answer.headers['x-engine'], 'vllm');
    const forwarded = context.gateway.lastRequest;
    assert.equal(forwarded.path, '/v1/audio/transcriptions');
    assert.equal(forwarded.model, 'my-asr');
    assert.equal(forwarded.stream, false);
    assert.deepEqual(forwarded.body, body);
    assert.equal(forwarded.headers['content-type'], `multipart/form-data; boundary=${TEST_BOUNDARY}`);
    assert.equal(forwarded.headers['x-app'], 'bot');
  });

  test('no model: the first audio model with workers is used and inserted as a form field', async () => {
    const body = multipartBody([...fileParts, { name: 'stream', value: 'true' }]);
    const answer = await send(url, { body, headers: multipartHeaders() });
    assert.equal(answer.status, 200, answer.text);
    const forwarded = context.gateway.lastRequest;
    assert.equal(forwarded.model, 'openai/whisper-large-v3');
    assert.equal(forwarded.stream, true);
    const form = parseMultipartForm(forwarded.body, TEST_BOUNDARY);
    assert.deepEqual(form.parts.map((part) => [part.name, part.data.toString('latin1')]), [
      ['model', 'openai/whisper-large-v3'],
      ['file', FAKE_AUDIO.toString('latin1')],
      ['stream', 'true'],
    ]);
  });

  test('no audio model on the network: 503 no worker serves audio transcription', async () => {
    context.gateway.models = [MODELS[0]!, MODELS[1]!];
    const before = context.gateway.requests.length;
    const answer = await send(url, { body: multipartBody(fileParts), headers: multipartHeaders() });
    assert.equal(answer.status, 503);
    assert.equal(errorOf(answer)['code'], 'CCN_ERR_ROUTE_NO_WORKER');
    assert.match(String(errorOf(answer)['message']), /no worker serves audio transcription/);
    assert.equal(context.gateway.requests.length, before);
  });

  const refusals: Array<[string, () => Promise<never>, number, string]> = [
    ['unknown model', async () => { throw new CocoonError('CCN_ERR_ROUTE_UNKNOWN_MODEL', 'unknown model gpt-x'); }, 404, 'CCN_ERR_ROUTE_UNKNOWN_MODEL'],
    ['no workers', async () => { throw new CocoonError('CCN_ERR_ROUTE_NO_WORKER', 'no workers for model gpt-x'); }, 503, 'CCN_ERR_ROUTE_NO_WORKER'],
    ['a worker without the route', async () => { throw new CocoonError('CCN_ERR_WORKER_INVALID_REQUEST', 'worker: invalid http request: unsupported method'); }, 503, 'CCN_ERR_ROUTE_NO_WORKER'],
  ];
  for (const [label, script, status, code] of refusals) {
    test(`network refusal (${label}) → ${status} naming the model`, async () => {
      context.gateway.script = script;
      const answer = await send(url, { body: multipartBody([...fileParts, { name: 'model', value: 'gpt-x' }]), headers: multipartHeaders() });
      assert.equal(answer.status, status);
      assert.equal(errorOf(answer)['code'], code);
      assert.equal(errorOf(answer)['message'], 'no worker serves audio transcription for model gpt-x');
      assert.equal(errorOf(answer)['param'], 'model');
    });
  }

  test('engine answers 404 → the clear error; other engine errors are relayed as they are', async () => {
    context.gateway.script = async () => jsonAnswer({ detail: 'Not Found' }, 404);
    let answer = await send(url, { body: multipartBody([...fileParts, { name: 'model', value: 'llama' }]), headers: multipartHeaders() });
    assert.equal(answer.status, 503);
    assert.equal(errorOf(answer)['message'], 'no worker serves audio transcription for model llama');
    const upstream = { error: { message: 'audio too long', type: 'BadRequestError', code: 400 } };
    context.gateway.script = async () => jsonAnswer(upstream, 400);
    answer = await send(url, { body: multipartBody(fileParts), headers: multipartHeaders() });
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.json(), upstream);
  });

  test('a streamed answer is relayed chunk by chunk; the app leaving aborts the gateway call', async () => {
    const channel = new ChunkChannel();
    context.gateway.script = async () => ({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: channel });
    const body = multipartBody([...fileParts, { name: 'stream', value: 'true' }]);
    const { request, response } = openRequest(url, { body, headers: multipartHeaders() });
    channel.push('data: {"text":"hel"}\n\n');
    const answer = await response;
    assert.equal(answer.headers['content-type'], 'text/event-stream');
    assert.equal(await nextChunk(answer), 'data: {"text":"hel"}\n\n');
    channel.push('data: {"text":"lo"}\n\n');
    assert.equal(await nextChunk(answer), 'data: {"text":"lo"}\n\n');
    request.destroy();
    const reason = (await abortReason(context.gateway.lastRequest.signal)) as { code: string };
    assert.equal(reason.code, 'CCN_ERR_CANCELLED');
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.equal(channel.returned, true, 'the answer body was given up');
  });

  const bad: Array<[string, Buffer, Record<string, string>, number, string, string | null]> = [
    ['a JSON body', Buffer.from('{"file":"x"}'), { 'content-type': 'application/json' }, 415, 'CCN_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE', 'content-type'],
    ['no boundary', multipartBody(fileParts), { 'content-type': 'multipart/form-data' }, 400, 'CCN_ERR_HTTP_BAD_REQUEST', 'content-type'],
    ['a malformed body', Buffer.from('garbage'), multipartHeaders(), 400, 'CCN_ERR_HTTP_BAD_REQUEST', 'body'],
    ['no file part', multipartBody([{ name: 'model', value: 'whisper' }]), multipartHeaders(), 400, 'CCN_ERR_HTTP_BAD_REQUEST', 'file'],
    ['a file field that is not a file', multipartBody([{ name: 'file', value: 'abc' }]), multipartHeaders(), 400, 'CCN_ERR_HTTP_BAD_REQUEST', 'file'],
    ['two files', multipartBody([...fileParts, ...fileParts]), multipartHeaders(), 400, 'CCN_ERR_HTTP_BAD_REQUEST', 'file'],
    ['an empty model', multipartBody([...fileParts, { name: 'model', value: '' }]), multipartHeaders(), 400, 'CCN_ERR_HTTP_BAD_REQUEST', 'model'],
    ['a text response_format', multipartBody([...fileParts, { name: 'response_format', value: 'text' }]), multipartHeaders(), 400, 'CCN_ERR_HTTP_BAD_REQUEST', 'response_format'],
    ['a bad stream flag', multipartBody([...fileParts, { name: 'stream', value: 'yes' }]), multipartHeaders(), 400, 'CCN_ERR_HTTP_BAD_REQUEST', 'stream'],
    ['an upload over the limit', multipartBody([{ ...fileParts[0]!, value: Buffer.alloc(3000) }]), multipartHeaders(), 413, 'CCN_ERR_HTTP_BODY_TOO_LARGE', null],
  ];
  for (const [label, body, headers, status, code, param] of bad) {
    test(`refuses ${label} with ${status} before any inference`, async () => {
      const before = context.gateway.requests.length;
      const answer = await send(url, { body, headers: { ...headers, 'content-length': String(body.length) } });
      assert.equal(answer.status, status, answer.text);
      assert.equal(errorOf(answer)['code'], code);
      assert.equal(errorOf(answer)['param'], param);
      assert.equal(context.gateway.requests.length, before);
    });
  }
});
