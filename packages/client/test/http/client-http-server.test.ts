/**
 * HTTP edge: pass-through of plain and streamed answers, routes, /v1/models, stats pages and
 * mapping of gateway errors.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CocoonError } from '@cocoon/protocol';
import type { CocoonErrorCode } from '@cocoon/protocol';
import { ChunkChannel, jsonAnswer } from './fake-inference-gateway.ts';
import { nextChunk, openRequest, readAll, send } from './http-test-client.ts';
import { startTestServer } from './test-server.ts';
import type { TestServer } from './test-server.ts';

const chatBody = { model: 'Qwen3-8B', messages: [{ role: 'user', content: 'hi' }] };

describe('client HTTP server', () => {
  let context: TestServer;
  before(async () => {
    context = await startTestServer({ accessHash: 'sesame' });
  });
  after(() => context.server.close());

  test('passes a plain answer through with worker status and headers, minus framing headers', async () => {
    context.gateway.script = async () => ({
      status: 201,
      headers: { 'content-type': 'application/json', 'content-length': '999', connection: 'close', 'x-cocoon-worker-start': '1.000000', 'access-control-allow-origin': '*' },
      body: (async function* () {
        yield Buffer.from('{"id":"c1",');
        yield Buffer.from('"object":"chat.completion"}');
      })(),
    });
    const answer = await send(`${context.url}/v1/chat/completions`, { body: chatBody });
    assert.equal(answer.status, 201);
    assert.deepEqual(answer.json(), { id: 'c1', object: 'chat.completion' });
    assert.equal(answer.headers['content-length'], undefined);
    assert.equal(answer.headers['x-cocoon-worker-start'], '1.000000');
    assert.equal(answer.headers['x-cocoon-client-start'], '1700000000.123000');
    assert.equal(answer.headers['x-cocoon-client-end'], '1700000000.123000');
    assert.equal(answer.headers['access-control-allow-origin'], undefined, "no CORS without an allowed Origin, not even the engine's");
    assert.equal(context.gateway.lastRequest.path, '/v1/chat/completions');
  });

  test('streams each chunk to the app before the gateway produces the next one', async () => {
    const channel = new ChunkChannel();
    context.gateway.script = async () => ({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: channel });
    const { response } = openRequest(`${context.url}/v1/chat/completions`, { body: { ...chatBody, stream: true } });
    channel.push('data: {"n":1}\n\n');
    const head = await response;
    assert.equal(head.headers['content-type'], 'text/event-stream');
    assert.equal(head.headers['cache-control'], 'no-cache');
    // Chunk 2 only exists once the app has seen chunk 1: a buffering edge would hang here.
    assert.equal(await nextChunk(head), 'data: {"n":1}\n\n');
    channel.push('data: {"n":2}\n\n');
    assert.equal(await nextChunk(head), 'data: {"n":2}\n\n');
    channel.push('data: [DONE]\n\n');
    assert.equal(await nextChunk(head), 'data: [DONE]\n\n');
    channel.end();
    assert.equal(await readAll(head), '');
    assert.equal(context.gateway.lastRequest.stream, true);
  });

  test('an error after the headers ends an SSE stream with an error event', async () => {
    const channel = new ChunkChannel();
    context.gateway.script = async () => ({ status: 200, headers: { 'content-type': 'text/event-stream' }, body: channel });
    const { response } = openRequest(`${context.url}/v1/chat/completions`, { body: { ...chatBody, stream: true } });
    channel.push('data: {"n":1}\n\n');
    const head = await response;
    assert.equal(await nextChunk(head), 'data: {"n":1}\n\n');
    channel.fail(new CocoonError('CCN_ERR_WORKER_DISCONNECTED'));
    const rest = await readAll(head);
    assert.match(rest, /^data: \{"error":\{"message":"worker disconnected","type":"server_error","code":"CCN_ERR_WORKER_DISCONNECTED"/);
  });

  test('unknown path is 404, wrong method 405, OPTIONS without an Origin answers no CORS', async () => {
    const missing = await send(`${context.url}/v1/embeddings`, { body: chatBody });
    assert.equal(missing.status, 404);
    assert.equal((missing.json()['error'] as Record<string, unknown>)['code'], 'CCN_ERR_HTTP_NOT_FOUND');
    const wrongMethod = await send(`${context.url}/v1/chat/completions`);
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers['allow'], 'POST, OPTIONS');
    const preflight = await send(`${context.url}/v1/chat/completions`, { method: 'OPTIONS', headers: { 'access-control-request-method': 'POST' } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], undefined);
    assert.equal(preflight.headers['access-control-allow-methods'], undefined);
  });

  test('/v1/models lists models by id with workers sorted by coefficient', async () => {
    context.gateway.models = [
      { id: 'zeta', workers: [] },
      { id: 'Qwen3-8B', workers: [{ coefficient: 2000, runningRequests: 1, maxRunningRequests: 60 }, { coefficient: 1000, runningRequests: 0, maxRunningRequests: 200 }] },
    ];
    const answer = await send(`${context.url}/v1/models`);
    assert.equal(answer.status, 200);
    assert.match(String(answer.headers['content-type']), /^application\/json/);
    assert.deepEqual(answer.json(), {
      object: 'list',
      data: [
        { id: 'Qwen3-8B', object: 'model', created: 0, owned_by: 'cocoon', workers: [
          { coefficient: 1000, running_requests: 0, max_running_requests: 200 },
          { coefficient: 2000, running_requests: 1, max_running_requests: 60 },
        ] },
        { id: 'zeta', object: 'model', created: 0, owned_by: 'cocoon', workers: [] },
      ],
    });
  });

  const mapped: Array<[CocoonErrorCode, number, string]> = [
    ['CCN_ERR_ROUTE_UNKNOWN_MODEL', 404, 'invalid_request_error'],
    ['CCN_ERR_TIMEOUT', 504, 'timeout'],
    ['CCN_ERR_ROUTE_NO_WORKER', 503, 'service_unavailable'],
    ['CCN_ERR_BILLING_INSUFFICIENT_BALANCE', 402, 'insufficient_quota'],
  ];
  for (const [code, status, type] of mapped) {
    test(`gateway ${code} becomes HTTP ${status}`, async () => {
      context.gateway.script = async () => {
        throw new CocoonError(code, 'from the gateway', { param: 'model' });
      };
      const answer = await send(`${context.url}/v1/chat/completions`, { body: chatBody });
      assert.equal(answer.status, status);
      assert.deepEqual(answer.json(), { error: { message: 'from the gateway', type, code, param: 'model' } });
    });
  }

  test('a non-CocoonError is a 500 that does not leak its message', async () => {
    context.gateway.script = async () => {
      throw new Error('db password is hunter2');
    };
    const answer = await send(`${context.url}/v1/completions`, { body: { model: 'm', prompt: 'x' } });
    assert.equal(answer.status, 500);
    assert.doesNotMatch(answer.text, /hunter2/);
    assert.deepEqual(answer.json(), { error: { message: 'internal error', type: 'server_error', code: 'CCN_ERR_INTERNAL', param: null } });
  });

  test('/jsonstats and /stats need the access hash', async () => {
    assert.equal((await send(`${context.url}/jsonstats`)).status, 401);
    assert.equal((await send(`${context.url}/stats?access_hash=wrong`)).status, 401);
    const json = await send(`${context.url}/jsonstats?access_hash=sesame`);
    assert.equal(json.status, 200);
    assert.deepEqual(json.json()['stats'], { queries: [3, 0, 0, 0, 0, 0, 0] });
    const html = await send(`${context.url}/stats?access_hash=sesame`);
    assert.equal(html.status, 200);
    assert.match(String(html.headers['content-type']), /^text\/html/);
    assert.match(html.text, /<table>/);
    assert.match(html.text, /&#60;b&#62;x&#60;\/b&#62;/);
    assert.doesNotMatch(html.text, /<b>x<\/b>/);
  });

  test('the worker status passes through unchanged on a worker-side error', async () => {
    context.gateway.script = async () => jsonAnswer({ error: "unknown option 'tools'" }, 400);
    const answer = await send(`${context.url}/v1/chat/completions`, { body: { ...chatBody, tools: [] } });
    assert.equal(answer.status, 400);
    assert.deepEqual(answer.json(), { error: "unknown option 'tools'" });
    assert.deepEqual(context.gateway.lastBody['tools'], []);
  });
});
