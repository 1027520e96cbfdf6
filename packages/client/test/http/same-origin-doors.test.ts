/**
 * Same origin on the client's HTTP edge: a page the runner serves itself (its Origin is exactly `http://` + the
 * request's Host, a Host the Host check accepts) may use the non-control endpoints without being listed in the
 * CORS origins, and gets no CORS headers (it needs none); the control endpoints still refuse every Origin, even
 * with the admin token; a DNS-rebinding page (foreign Host) is still 421; any other origin — another port,
 * https, `null`, user info — is still 403. Preflights allow the SDK's headers and expose the x-cocoon-* headers.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { send } from './http-test-client.ts';
import { jsonAnswer } from './fake-inference-gateway.ts';
import { startTestServer } from './test-server.ts';
import type { TestServer } from './test-server.ts';

const TOKEN = 'cd'.repeat(32);
const ALLOWED = 'http://127.0.0.1:3000';
const chat = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
const completion = { id: 'c', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } };

describe('client HTTP edge: same-origin pages', () => {
  let context: TestServer;
  const operations: string[] = [];
  const requestRoutes = async (_request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean> => {
    operations.push(url.pathname);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"ok":true}');
    return true;
  };
  const port = (): number => context.server.port;
  before(async () => {
    context = await startTestServer({ adminToken: TOKEN, corsOrigins: [ALLOWED], allowedHosts: ['cocoon.example'], requestRoutes });
  });
  after(() => context.server.close());
  beforeEach(() => {
    operations.length = 0;
    context.gateway.models = [{ id: 'm', workers: [{ coefficient: 1000, runningRequests: 0, maxRunningRequests: 4 }] }];
    context.gateway.script = async () => jsonAnswer(completion);
  });

  test('the runner\'s own origin (127.0.0.1, localhost, an allowed name, any case of Host) uses the API without CORS headers', async () => {
    const before = context.gateway.requests.length;
    for (const host of [`127.0.0.1:${port()}`, `localhost:${port()}`, `LOCALHOST:${port()}`, `cocoon.example:${port()}`, `[::1]:${port()}`]) {
      const origin = new URL(`http://${host}`).origin;
      const answer = await send(`${context.url}/v1/chat/completions`, { body: chat, headers: { host, origin } });
      assert.equal(answer.status, 200, `${host}: ${answer.text}`);
      assert.equal(answer.headers['access-control-allow-origin'], undefined, 'same origin needs no CORS');
      const models = await send(`${context.url}/v1/models`, { headers: { host, origin } });
      assert.equal(models.status, 200, host);
    }
    assert.equal(context.gateway.requests.length, before + 5);
  });

  test('control endpoints refuse the runner\'s own origin too, with or without the token; nothing runs', async () => {
    const host = `127.0.0.1:${port()}`;
    for (const path of ['/request/close', '/request/audit']) {
      for (const extra of [{}, { authorization: `Bearer ${TOKEN}` }] as Array<Record<string, string>>) {
        const answer = await send(`${context.url}${path}`, { method: 'POST', headers: { host, origin: `http://${host}`, ...extra } });
        assert.equal(answer.status, 403, path);
        assert.equal((answer.json().error as { code: string }).code, 'CCN_ERR_HTTP_FORBIDDEN_ORIGIN');
      }
    }
    assert.deepEqual(operations, []);
    assert.equal((await send(`${context.url}/request/close`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } })).status, 200, 'without Origin the token works');
  });

  test('DNS rebinding (a foreign Host naming itself as the origin) is still 421; the gateway is never called', async () => {
    const before = context.gateway.requests.length;
    for (const host of [`rebind.attacker.test:${port()}`, `127.0.0.1.attacker.test:${port()}`]) {
      const answer = await send(`${context.url}/v1/chat/completions`, { body: chat, headers: { host, origin: `http://${host}` } });
      assert.equal(answer.status, 421, host);
      assert.equal((answer.json().error as { code: string }).code, 'CCN_ERR_HTTP_MISDIRECTED');
    }
    assert.equal(context.gateway.requests.length, before);
  });

  test('origins that are not exactly the Host are still 403', async () => {
    const host = `127.0.0.1:${port()}`;
    const others = [
      `http://127.0.0.1:${port() + 1}`, `https://127.0.0.1:${port()}`, 'null', `http://localhost:${port()}`, `http://127.0.0.1:${port()}/`,
      `http://user@127.0.0.1:${port()}`, 'http://127.0.0.1', `HTTP://127.0.0.1:${port()}`,
    ];
    const before = context.gateway.requests.length;
    for (const origin of others) {
      const answer = await send(`${context.url}/v1/chat/completions`, { body: chat, headers: { host, origin } });
      assert.equal(answer.status, 403, origin);
    }
    const defaultPort = await send(`${context.url}/v1/models`, { headers: { host: '127.0.0.1:80', origin: 'http://127.0.0.1' } });
    assert.equal(defaultPort.status, 200, 'a browser leaves the default port out of the origin');
    const hostWithUser = await send(`${context.url}/v1/models`, { headers: { host: `evil@127.0.0.1:${port()}`, origin: `http://127.0.0.1:${port()}` } });
    assert.equal(hostWithUser.status, 421);
    assert.equal(context.gateway.requests.length, before);
  });

  test('preflights allow the SDK\'s headers by default and answers expose the x-cocoon-* headers to allowed origins', async () => {
    const preflight = await send(`${context.url}/v1/e2e/requests`, { method: 'OPTIONS', headers: { origin: ALLOWED, 'access-control-request-method': 'POST' } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-headers'], 'accept, authorization, content-type, x-cocoon-e2e, x-telegram-init-data');
    const asked = await send(`${context.url}/v1/e2e/requests`, {
      method: 'OPTIONS', headers: { origin: ALLOWED, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, accept, x-cocoon-e2e' },
    });
    assert.equal(asked.headers['access-control-allow-headers'], 'content-type, accept, x-cocoon-e2e');
    const models = await send(`${context.url}/v1/models`, { headers: { origin: ALLOWED } });
    const exposed = String(models.headers['access-control-expose-headers']).split(/,\s*/);
    for (const name of ['x-cocoon-e2e', 'x-cocoon-receipt-id', 'x-cocoon-client-start', 'x-cocoon-worker-end', 'retry-after']) assert.ok(exposed.includes(name), name);
  });
});
