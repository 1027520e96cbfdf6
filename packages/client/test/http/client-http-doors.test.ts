/**
 * The client HTTP edge's doors: `/request/*` (the chain's charge/topup/withdraw/close) needs the
 * admin token or the access hash and never runs for a cross-origin or foreign-Host request; JSON
 * endpoints take application/json only (415), transcriptions multipart only; CORS answers go only
 * to configured origins (echoed exactly, never `*`, never on /request/*).
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { send } from './http-test-client.ts';
import { jsonAnswer } from './fake-inference-gateway.ts';
import { startTestServer } from './test-server.ts';
import type { TestServer } from './test-server.ts';

const TOKEN = 'ef'.repeat(32);
const ALLOWED = 'http://127.0.0.1:10000';
const ATTACKER = 'http://attacker.example';
const CONTROLS = ['/request/close', '/request/topup', '/request/withdraw', '/request/charge'];
const JSON_ENDPOINTS: Array<[string, Record<string, unknown>]> = [
  ['/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'hi' }] }],
  ['/v1/completions', { model: 'm', prompt: 'hi' }],
  ['/v1/summarize', { model: 'm', text: 'Some text.' }],
  ['/v1/translate', { model: 'm', text: 'Hallo', target_language: 'English' }],
];
const completion = { id: 'c', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } };

/** A POST with exactly these headers (the test client adds application/json to bodies). */
function rawPost(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; code: unknown }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { error?: { code?: unknown } };
        resolve({ status: response.statusCode ?? 0, code: parsed.error?.code });
      });
    });
    request.on('error', reject);
    request.end(body);
  });
}

describe('client HTTP edge doors', () => {
  let context: TestServer;
  let hashed: TestServer;
  const operations: string[] = [];
  const requestRoutes = async (_request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean> => {
    operations.push(url.pathname);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"ok":true}');
    return true;
  };
  before(async () => {
    context = await startTestServer({ adminToken: TOKEN, corsOrigins: [ALLOWED], requestRoutes });
    hashed = await startTestServer({ adminToken: TOKEN, accessHash: 'sesame', requestRoutes });
  });
  after(async () => {
    await context.server.close();
    await hashed.server.close();
  });
  beforeEach(() => {
    operations.length = 0;
    context.gateway.models = [{ id: 'm', workers: [{ coefficient: 1000, runningRequests: 0, maxRunningRequests: 4 }] }];
    context.gateway.script = async () => jsonAnswer(completion);
  });

  test('a cross-origin simple POST (text/plain) to every control is 403; nothing runs, not even with the token', async () => {
    for (const path of CONTROLS) {
      for (const extra of [{}, { authorization: `Bearer ${TOKEN}` }] as Array<Record<string, string>>) {
        const answer = await send(`${context.url}${path}`, { method: 'POST', body: 'x', headers: { origin: ATTACKER, 'content-type': 'text/plain', ...extra } });
        assert.equal(answer.status, 403, path);
        assert.equal((answer.json().error as Record<string, unknown>).code, 'CCN_ERR_HTTP_FORBIDDEN_ORIGIN');
        assert.equal(answer.headers['access-control-allow-origin'], undefined);
      }
    }
    assert.deepEqual(operations, []);
  });

  test('no token or a wrong one is 401 and runs nothing; the bearer token runs the operation', async () => {
    for (const path of CONTROLS) {
      assert.equal((await send(`${context.url}${path}`, { method: 'POST' })).status, 401, path);
      assert.equal((await send(`${context.url}${path}`, { method: 'POST', headers: { authorization: 'Bearer unused' } })).status, 401, path);
      assert.equal((await send(`${context.url}${path}?access_hash=x`, { method: 'POST' })).status, 401, path);
    }
    assert.deepEqual(operations, []);
    for (const path of CONTROLS) {
      const answer = await send(`${context.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(answer.status, 200, path);
    }
    assert.deepEqual(operations, CONTROLS);
  });

  test('the access hash still opens the controls and the stats pages; the bearer token opens the stats pages too', async () => {
    assert.equal((await send(`${hashed.url}/request/close`, { method: 'POST' })).status, 401);
    assert.equal((await send(`${hashed.url}/request/close?access_hash=sesame`, { method: 'POST' })).status, 200);
    assert.deepEqual(operations, ['/request/close']);
    assert.equal((await send(`${hashed.url}/jsonstats`)).status, 401);
    assert.equal((await send(`${hashed.url}/jsonstats?access_hash=sesame`)).status, 200);
    assert.equal((await send(`${hashed.url}/jsonstats`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
  });

  test('a foreign Host (DNS rebinding) is 421 everywhere; the gateway is never called', async () => {
    const host = `attacker.example:${context.server.port}`;
    const before = context.gateway.requests.length;
    for (const [path, body] of [['/v1/models', undefined], ['/jsonstats', undefined], ['/v1/chat/completions', JSON_ENDPOINTS[0]![1]], ['/request/close', undefined]] as const) {
      const answer = await send(`${context.url}${path}`, { ...(body ? { body } : path.startsWith('/request/') ? { method: 'POST' } : {}), headers: { host, authorization: `Bearer ${TOKEN}` } });
      assert.equal(answer.status, 421, path);
      assert.equal((answer.json().error as Record<string, unknown>).code, 'CCN_ERR_HTTP_MISDIRECTED');
    }
    assert.equal(context.gateway.requests.length, before);
    assert.deepEqual(operations, []);
    assert.equal((await send(`${context.url}/v1/models`, { headers: { host: `localhost:${context.server.port}` } })).status, 200);
  });

  test('JSON endpoints refuse text/plain, forms and no content-type with 415 before the gateway; application/json with a charset works', async () => {
    const before = context.gateway.requests.length;
    for (const [path, body] of JSON_ENDPOINTS) {
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', undefined]) {
        const headers: Record<string, string> = type === undefined ? {} : { 'content-type': type };
        const answer = await rawPost(`${context.url}${path}`, JSON.stringify(body), headers);
        assert.deepEqual(answer, { status: 415, code: 'CCN_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE' }, `${path} ${type}`);
      }
    }
    assert.equal(context.gateway.requests.length, before);
    for (const [path, body] of JSON_ENDPOINTS) {
      const answer = await send(`${context.url}${path}`, { body, headers: { 'content-type': 'application/json; charset=utf-8' } });
      assert.equal(answer.status, 200, `${path}: ${answer.text}`);
    }
  });

  test('transcriptions take multipart/form-data only', async () => {
    const before = context.gateway.requests.length;
    for (const type of ['text/plain', 'application/json', 'application/x-www-form-urlencoded', undefined]) {
      const answer = await rawPost(`${context.url}/v1/audio/transcriptions`, 'file=x', type === undefined ? {} : { 'content-type': type });
      assert.deepEqual(answer, { status: 415, code: 'CCN_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE' }, type);
    }
    assert.equal(context.gateway.requests.length, before);
  });

  test('CORS: the allowed origin is echoed exactly (answers, errors, preflights); other origins get 403 and no CORS; never *', async () => {
    const before = context.gateway.requests.length;
    const models = await send(`${context.url}/v1/models`, { headers: { origin: ALLOWED } });
    assert.equal(models.status, 200);
    assert.equal(models.headers['access-control-allow-origin'], ALLOWED);
    const chat = await send(`${context.url}/v1/chat/completions`, { body: JSON_ENDPOINTS[0]![1], headers: { origin: ALLOWED } });
    assert.equal(chat.status, 200);
    assert.equal(chat.headers['access-control-allow-origin'], ALLOWED);
    const missing = await send(`${context.url}/v1/nothing`, { headers: { origin: ALLOWED } });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers['access-control-allow-origin'], ALLOWED, 'errors are readable by the allowed page too');
    const preflight = await send(`${context.url}/v1/chat/completions`, {
      method: 'OPTIONS', headers: { origin: ALLOWED, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], ALLOWED);
    assert.equal(preflight.headers['access-control-allow-headers'], 'authorization, content-type');
    const controlPreflight = await send(`${context.url}/request/close`, { method: 'OPTIONS', headers: { origin: ALLOWED, 'access-control-request-method': 'POST' } });
    assert.equal(controlPreflight.headers['access-control-allow-origin'], undefined, 'never CORS on control endpoints');
    const control = await send(`${context.url}/request/close`, { method: 'POST', headers: { origin: ALLOWED, authorization: `Bearer ${TOKEN}` } });
    assert.equal(control.status, 200);
    assert.equal(control.headers['access-control-allow-origin'], undefined);
    for (const [method, path] of [['GET', '/v1/models'], ['OPTIONS', '/v1/chat/completions'], ['GET', '/jsonstats']] as const) {
      const other = await send(`${context.url}${path}`, { method, headers: { origin: ATTACKER, 'access-control-request-method': 'POST' } });
      assert.equal(other.status, 403, `${method} ${path}`);
      assert.equal(other.headers['access-control-allow-origin'], undefined);
    }
    assert.equal(context.gateway.requests.length, before + 1, 'only the allowed chat request');
  });
});
