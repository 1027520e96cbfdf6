/**
 * HTTP edge request checks (§4.1): client-only fields removed and defaulted, max_completion_tokens
 * precedence, malformed bodies, wrong field types, body size limit, forwarded headers.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { send } from './http-test-client.ts';
import { startTestServer } from './test-server.ts';
import type { TestServer } from './test-server.ts';

const messages = [{ role: 'user', content: 'hi' }];

describe('inference request checks', () => {
  let context: TestServer;
  let chatUrl: string;
  before(async () => {
    context = await startTestServer({ maxBodyBytes: 2048 });
    chatUrl = `${context.url}/v1/chat/completions`;
  });
  after(() => context.server.close());

  test('client-only fields are stripped and passed as gateway fields; other fields stay', async () => {
    const body = { model: 'Qwen3-8B', messages, max_coefficient: 1500, timeout: 30.5, enable_debug: true, request_guid: 'g-1', temperature: 0.2, whatever: { deep: [1] } };
    const answer = await send(chatUrl, { body, headers: { authorization: 'Bearer secret', 'x-app': 'demo', 'accept-encoding': 'gzip' } });
    assert.equal(answer.status, 200);
    const forwarded = context.gateway.lastRequest;
    assert.equal(forwarded.model, 'Qwen3-8B');
    assert.equal(forwarded.maxCoefficient, 1500);
    assert.equal(forwarded.timeoutMs, 30_500);
    assert.equal(forwarded.enableDebug, true);
    assert.equal(forwarded.requestGuid, 'g-1');
    assert.equal(forwarded.maxTokens, 1000);
    assert.equal(forwarded.method, 'POST');
    assert.deepEqual(context.gateway.lastBody, { model: 'Qwen3-8B', messages, temperature: 0.2, whatever: { deep: [1] } });
    assert.equal(forwarded.headers['x-app'], 'demo');
    assert.equal(forwarded.headers['content-type'], 'application/json');
    for (const dropped of ['authorization', 'host', 'content-length', 'connection', 'accept-encoding']) assert.equal(forwarded.headers[dropped], undefined, dropped);
  });

  test('defaults apply when the client-only fields are absent', async () => {
    await send(chatUrl, { body: { model: 'm', messages } });
    const forwarded = context.gateway.lastRequest;
    assert.deepEqual(
      { maxCoefficient: forwarded.maxCoefficient, maxTokens: forwarded.maxTokens, timeoutMs: forwarded.timeoutMs, enableDebug: forwarded.enableDebug, requestGuid: forwarded.requestGuid, stream: forwarded.stream },
      { maxCoefficient: 4000, maxTokens: 1000, timeoutMs: 120_000, enableDebug: false, requestGuid: undefined, stream: false },
    );
    assert.equal(forwarded.signal.aborted, false);
  });

  test('configured defaults replace the built-in ones', async () => {
    const custom = await startTestServer({ defaults: { maxCoefficient: 1234, timeoutSeconds: 7 } });
    try {
      await send(`${custom.url}/v1/completions`, { body: { model: 'm', prompt: 'p' } });
      assert.equal(custom.gateway.lastRequest.maxCoefficient, 1234);
      assert.equal(custom.gateway.lastRequest.timeoutMs, 7000);
      assert.equal(custom.gateway.lastRequest.maxTokens, 1000);
      assert.equal(custom.gateway.lastRequest.path, '/v1/completions');
    } finally {
      await custom.server.close();
    }
  });

  test('max_completion_tokens wins and max_tokens is deleted', async () => {
    await send(chatUrl, { body: { model: 'm', messages, max_tokens: 10, max_completion_tokens: 20 } });
    assert.equal(context.gateway.lastRequest.maxTokens, 20);
    assert.equal('max_tokens' in context.gateway.lastBody, false);
    assert.equal(context.gateway.lastBody['max_completion_tokens'], 20);
    await send(chatUrl, { body: { model: 'm', messages, max_tokens: 10 } });
    assert.equal(context.gateway.lastRequest.maxTokens, 10);
    assert.equal(context.gateway.lastBody['max_tokens'], 10);
  });

  test('stream_options without stream counts as streaming', async () => {
    await send(chatUrl, { body: { model: 'm', messages, stream_options: { include_usage: true } } });
    assert.equal(context.gateway.lastRequest.stream, true);
  });

  const badBodies: Array<[string, string, string, RegExp]> = [
    ['malformed JSON', '{"model": "m",', 'CCN_ERR_HTTP_BAD_JSON', /not valid JSON/],
    ['an array', '[1,2]', 'CCN_ERR_HTTP_BAD_JSON', /must be a JSON object/],
    ['a string', '"hello"', 'CCN_ERR_HTTP_BAD_JSON', /must be a JSON object/],
    ['null', 'null', 'CCN_ERR_HTTP_BAD_JSON', /must be a JSON object/],
    ['an empty body', '', 'CCN_ERR_HTTP_BAD_JSON', /not valid JSON/],
  ];
  for (const [name, raw, code, message] of badBodies) {
    test(`a body that is ${name} is refused with 400`, async () => {
      const before = context.gateway.requests.length;
      const answer = await send(chatUrl, { method: 'POST', body: raw });
      assert.equal(answer.status, 400);
      const error = answer.json()['error'] as Record<string, unknown>;
      assert.equal(error['code'], code);
      assert.equal(error['type'], 'invalid_request_error');
      assert.match(String(error['message']), message);
      assert.equal(context.gateway.requests.length, before);
    });
  }

  const badFields: Array<[string, unknown]> = [
    ['model', undefined],
    ['model', ''],
    ['model', 5],
    ['max_coefficient', -1],
    ['max_coefficient', 1.5],
    ['max_coefficient', '4000'],
    ['timeout', 0],
    ['timeout', -3],
    ['timeout', '10'],
    ['timeout', null],
    ['enable_debug', 'yes'],
    ['enable_debug', 1],
    ['request_guid', 42],
    ['max_tokens', -1],
    ['max_tokens', 2.5],
    ['max_completion_tokens', '100'],
    ['max_completion_tokens', 3_000_000_000],
  ];
  for (const [field, value] of badFields) {
    test(`'${field}' = ${JSON.stringify(value)} is refused with 400 naming the field`, async () => {
      const before = context.gateway.requests.length;
      const answer = await send(chatUrl, { body: { model: 'm', messages, [field]: value } });
      assert.equal(answer.status, 400);
      const error = answer.json()['error'] as Record<string, unknown>;
      assert.equal(error['param'], field);
      assert.equal(error['code'], 'CCN_ERR_HTTP_BAD_REQUEST');
      assert.match(String(error['message']), new RegExp(field));
      assert.equal(context.gateway.requests.length, before);
    });
  }

  test('a body over the limit is 413 (announced or streamed) and the server keeps serving', async () => {
    const big = JSON.stringify({ model: 'm', messages, padding: 'x'.repeat(4000) });
    const announced = await send(chatUrl, { body: big });
    assert.equal(announced.status, 413);
    assert.equal((announced.json()['error'] as Record<string, unknown>)['code'], 'CCN_ERR_HTTP_BODY_TOO_LARGE');

    // No Content-Length: the edge only learns the size while reading.
    const streamed = await sendChunked(chatUrl, [big.slice(0, 1500), big.slice(1500)]);
    assert.equal(streamed, 413);

    const fine = await send(chatUrl, { body: { model: 'm', messages } });
    assert.equal(fine.status, 200);
  });
});

function sendChunked(url: string, parts: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json' } });
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
    for (const part of parts) request.write(part);
    request.end();
  });
}
