/**
 * POST /v1/summarize and /v1/translate on the HTTP edge: the chat completion sent to the gateway,
 * default model choice, answer shape and cost, request validation and error paths.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CocoonError } from '@cocoon/protocol';
import type { GatewayModel } from '../../../src/http/index.ts';
import { send } from '../http-test-client.ts';
import { jsonAnswer } from '../fake-inference-gateway.ts';
import { startTestServer } from '../test-server.ts';
import type { TestServer } from '../test-server.ts';

const MODELS: GatewayModel[] = [
  { id: 'whisper-large-v3', workers: [{ coefficient: 1000, pricePerTokenNanoton: 5, runningRequests: 0, maxRunningRequests: 4 }] },
  { id: 'idle-model', workers: [] },
  { id: 'Qwen3-8B', workers: [{ coefficient: 1500, pricePerTokenNanoton: 30, runningRequests: 0, maxRunningRequests: 4 }, { coefficient: 1000, pricePerTokenNanoton: 20, runningRequests: 0, maxRunningRequests: 4 }] },
];
const USAGE = { prompt_tokens: 90, completion_tokens: 10, total_tokens: 100 };

function completion(content: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: 'c1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }], usage: USAGE, ...extra };
}

describe('telegram text tasks', () => {
  let context: TestServer;
  before(async () => {
    context = await startTestServer({ maxBodyBytes: 4096, telegram: { maxTextChars: 500, templates: { translateUser: 'TRANSLATE: {text}' } } });
  });
  after(() => context.server.close());
  beforeEach(() => {
    context.gateway.models = MODELS;
    context.gateway.script = async () => ({ ...jsonAnswer(completion('  <think>hmm</think>\n A short summary. \n')), usage: Promise.resolve({ totalTokens: 123, costNanoton: 4567n }) });
  });

  test('summarize: default text model, chat completion request, trimmed summary, gateway cost', async () => {
    const answer = await send(`${context.url}/v1/summarize`, { body: { text: 'Some long text.', max_words: 40, language: 'English' }, headers: { 'x-app': 'bot' } });
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(answer.json(), { summary: 'A short summary.', model: 'Qwen3-8B', usage: USAGE, cost: { tokens: 123, nanoton: '4567' } });
    const forwarded = context.gateway.lastRequest;
    assert.equal(forwarded.path, '/v1/chat/completions');
    assert.equal(forwarded.model, 'Qwen3-8B');
    assert.equal(forwarded.maxTokens, 1000);
    assert.equal(forwarded.headers['x-app'], 'bot');
    assert.equal(forwarded.headers['content-type'], 'application/json');
    const body = context.gateway.lastBody as { model: string; max_tokens: number; messages: Array<{ role: string; content: string }> };
    assert.equal(body.model, 'Qwen3-8B');
    assert.equal(body.max_tokens, 1000);
    assert.deepEqual(body.messages.map((message) => message.role), ['system', 'user']);
    assert.match(body.messages[0]!.content, /at most 40 words.*in English/s);
    assert.match(body.messages[1]!.content, /Some long text\.$/);
  });

  test('translate: named model, template override, big max_words-free reservation, truncation flag', async () => {
    context.gateway.script = async () => jsonAnswer(completion('Bonjour', { choices: [{ message: { content: 'Bonjour' }, finish_reason: 'length' }] }));
    const text = 'x'.repeat(480);
    const answer = await send(`${context.url}/v1/translate`, { body: { model: 'Custom-1', text, target_language: 'French', source_language: 'English' } });
    assert.equal(answer.status, 200, answer.text);
    const json = answer.json();
    assert.equal(json['translation'], 'Bonjour');
    assert.equal(json['model'], 'Custom-1');
    assert.equal(json['truncated'], true);
    assert.equal(context.gateway.lastRequest.model, 'Custom-1');
    const body = context.gateway.lastBody as { messages: Array<{ content: string }> };
    assert.match(body.messages[0]!.content, /from English into French/);
    assert.equal(body.messages[1]!.content, `TRANSLATE: ${text}`);
  });

  test('reservations grow with max_words and with the text to translate', async () => {
    await send(`${context.url}/v1/summarize`, { body: { text: 't', max_words: 2000 } });
    assert.equal(context.gateway.lastRequest.maxTokens, 2000 * 2 + 256);
    assert.equal(context.gateway.lastBody['max_tokens'], 4256);
    const big = await startTestServer({ telegram: { maxTextChars: 10_000 } });
    try {
      big.gateway.models = MODELS;
      big.gateway.script = async () => jsonAnswer(completion('ok'));
      await send(`${big.url}/v1/translate`, { body: { text: 'w'.repeat(4000), target_language: 'fr' } });
      assert.equal(big.gateway.lastRequest.maxTokens, 2000 + 256);
    } finally {
      await big.server.close();
    }
  });

  test('cost falls back to the worker-reported usage.total_cost, then to a marked estimate from the models list', async () => {
    context.gateway.script = async () => jsonAnswer(completion('ok', { usage: { ...USAGE, total_cost: 777 } }));
    let answer = await send(`${context.url}/v1/summarize`, { body: { text: 't' } });
    assert.deepEqual(answer.json()['cost'], { tokens: 100, nanoton: '777' });
    context.gateway.script = async () => jsonAnswer(completion('ok'));
    answer = await send(`${context.url}/v1/summarize`, { body: { text: 't' } });
    assert.deepEqual(answer.json()['cost'], { tokens: 100, nanoton: '2000', estimated: true });
    context.gateway.script = async () => jsonAnswer(completion('ok', { usage: undefined }));
    answer = await send(`${context.url}/v1/summarize`, { body: { text: 't' } });
    assert.deepEqual([answer.json()['usage'], answer.json()['cost']], [null, null]);
  });

  test('no text model on the network: 503 naming model', async () => {
    context.gateway.models = [MODELS[0]!, MODELS[1]!];
    const before = context.gateway.requests.length;
    const answer = await send(`${context.url}/v1/translate`, { body: { text: 't', target_language: 'de' } });
    assert.equal(answer.status, 503);
    assert.deepEqual((answer.json()['error'] as Record<string, unknown>)['code'], 'CCN_ERR_ROUTE_NO_WORKER');
    assert.equal(context.gateway.requests.length, before, 'no inference was attempted');
  });

  const bad: Array<[string, string, unknown, number, string, string | null]> = [
    ['summarize', 'unknown field', { text: 't', temperature: 1 }, 400, 'CCN_ERR_HTTP_BAD_REQUEST', 'temperature'],
    ['summarize', 'missing text', { language: 'en' }, 400, 'CCN_ERR_HTTP_BAD_REQUEST', 'text'],
    ['summarize', 'blank text', { text: '  \n' }, 400, 'CCN_ERR_HTTP_BAD_REQUEST', 'text'],
    ['summarize', 'text too long', { text: 'y'.repeat(501) }, 413, 'CCN_ERR_HTTP_BODY_TOO_LARGE', 'text'],
    ['summarize', 'max_words zero', { text: 't', max_words: 0 }, 400, 'CCN_ERR_HTTP_BAD_REQUEST', 'max_words'],
    ['summarize', 'max_words too big', { text: 't', max_words: 2001 }, 400, 'CCN_ERR_HTTP_BAD_REQUEST', 'max_words'],
    ['summarize', 'max_words fractional', { text: 't', max_words: 1.5 }, 400, 'CCN_ERR_HTTP_BAD_REQUEST', 'max_words'],
    ['summarize', 'language too long', { text: 't', language: 'l'.repeat(65) }, 400, 'CCN_ERR_HTTP_BAD_REQUEST', 'language'],
    ['summarize', 'empty model', { text: 't', model: '' }, 400, 'CCN_ERR_HTTP_BAD_REQUEST', 'model'],
    ['summarize', 'not an object', [1], 400, 'CCN_ERR_HTTP_BAD_JSON', null],
    ['summarize', 'invalid JSON', '{"text":', 400, 'CCN_ERR_HTTP_BAD_JSON', null],
    ['translate', 'missing target_language', { text: 't' }, 400, 'CCN_ERR_HTTP_BAD_REQUEST', 'target_language'],
    ['translate', 'empty target_language', { text: 't', target_language: ' ' }, 400, 'CCN_ERR_HTTP_BAD_REQUEST', 'target_language'],
    ['translate', 'numeric source_language', { text: 't', target_language: 'fr', source_language: 1 }, 400, 'CCN_ERR_HTTP_BAD_REQUEST', 'source_language'],
    ['translate', 'max_words on translate', { text: 't', target_language: 'fr', max_words: 3 }, 400, 'CCN_ERR_HTTP_BAD_REQUEST', 'max_words'],
    ['translate', 'body over the byte limit', { text: 'z'.repeat(5000), target_language: 'fr' }, 413, 'CCN_ERR_HTTP_BODY_TOO_LARGE', null],
  ];
  for (const [task, label, body, status, code, param] of bad) {
    test(`${task}: ${label} → ${status} ${code}`, async () => {
      const before = context.gateway.requests.length;
      const answer = await send(`${context.url}/v1/${task}`, { body });
      assert.equal(answer.status, status, answer.text);
      const error = answer.json()['error'] as Record<string, unknown>;
      assert.equal(error['code'], code);
      assert.equal(error['param'], param);
      if (param !== null) assert.match(String(error['message']), new RegExp(param));
      assert.equal(context.gateway.requests.length, before, 'nothing reaches the gateway');
    });
  }

  test('GET is refused with 405 and an Allow header; CORS preflight still works', async () => {
    const answer = await send(`${context.url}/v1/summarize`);
    assert.equal(answer.status, 405);
    assert.equal(answer.headers['allow'], 'POST, OPTIONS');
    assert.equal((answer.json()['error'] as Record<string, unknown>)['code'], 'CCN_ERR_HTTP_METHOD_NOT_ALLOWED');
    const preflight = await send(`${context.url}/v1/translate`, { method: 'OPTIONS' });
    assert.equal(preflight.status, 204);
  });

  test('network errors: gateway CocoonError mapped, upstream OpenAI error relayed, garbage answers 502', async () => {
    context.gateway.script = async () => {
      throw new CocoonError('CCN_ERR_ROUTE_UNKNOWN_MODEL', 'unknown model Nope');
    };
    let answer = await send(`${context.url}/v1/summarize`, { body: { text: 't', model: 'Nope' } });
    assert.equal(answer.status, 404);
    assert.equal((answer.json()['error'] as Record<string, unknown>)['code'], 'CCN_ERR_ROUTE_UNKNOWN_MODEL');

    const upstream = { error: { message: 'maximum context length exceeded', type: 'BadRequestError', code: 400 } };
    context.gateway.script = async () => jsonAnswer(upstream, 400);
    answer = await send(`${context.url}/v1/translate`, { body: { text: 't', target_language: 'fr' } });
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.json(), upstream);

    context.gateway.script = async () => ({ status: 200, headers: {}, body: (async function* () { yield Buffer.from('not json'); })() });
    answer = await send(`${context.url}/v1/summarize`, { body: { text: 't' } });
    assert.equal(answer.status, 502);
    assert.equal((answer.json()['error'] as Record<string, unknown>)['code'], 'CCN_ERR_ENGINE_FAILED');

    context.gateway.script = async () => jsonAnswer({ choices: [{ message: { content: null, tool_calls: [] } }] });
    answer = await send(`${context.url}/v1/summarize`, { body: { text: 't' } });
    assert.equal(answer.status, 502);
    assert.match(String((answer.json()['error'] as Record<string, unknown>)['message']), /without a text message/);
  });

  test('the gateway call times out with 504 and its signal is aborted', async () => {
    const slow = await startTestServer({ defaults: { timeoutSeconds: 0.05 } });
    try {
      slow.gateway.models = MODELS;
      slow.gateway.script = (request) => new Promise((_resolve, reject) => request.signal.addEventListener('abort', () => reject(request.signal.reason as Error)));
      const answer = await send(`${slow.url}/v1/summarize`, { body: { text: 't' } });
      assert.equal(answer.status, 504);
      assert.equal((answer.json()['error'] as Record<string, unknown>)['code'], 'CCN_ERR_TIMEOUT');
      assert.equal(slow.gateway.lastRequest.signal.aborted, true);
    } finally {
      await slow.server.close();
    }
  });
});
