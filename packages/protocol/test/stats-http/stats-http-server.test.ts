/**
 * The stats HTTP server's doors on a real loopback socket: control endpoints need the admin token
 * (or the access hash) and are never run for a cross-origin or foreign-Host request; CORS only for
 * configured origins, never `*`, never on /request/*.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { CocoonError, startStatsHttpServer, type StatsHttpServer } from '../../src/index.ts';

const TOKEN = 'cd'.repeat(32);
const ALLOWED = 'http://127.0.0.1:10000';

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; body: Record<string, unknown> }

function send(server: StatsHttpServer, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port: server.port, method, path, headers: { ...headers, ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: Record<string, unknown> = {};
        try { parsed = JSON.parse(text) as Record<string, unknown>; } catch { parsed = { text }; }
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: parsed });
      });
    });
    request.on('error', reject);
    request.end(body);
  });
}

describe('stats HTTP server doors', () => {
  let server: StatsHttpServer;
  let hashed: StatsHttpServer;
  const calls: string[] = [];
  let enabled = true;
  before(async () => {
    server = await startStatsHttpServer({
      host: '127.0.0.1', port: 0, title: 'test', adminToken: TOKEN, corsOrigins: [ALLOWED], allowedHosts: ['stats.example'],
      jsonStats: () => ({ status: { enabled } }),
      controls: {
        disable: async () => { calls.push('disable'); enabled = false; return { enabled }; },
        enable: async () => { calls.push('enable'); enabled = true; return { enabled }; },
      },
    });
    hashed = await startStatsHttpServer({
      host: '127.0.0.1', port: 0, title: 'test', adminToken: TOKEN, accessHash: 'sesame',
      jsonStats: () => ({ ok: true }), controls: { settle: async () => { calls.push('settle'); return { settled: true }; } },
    });
  });
  after(async () => {
    await server.close();
    await hashed.close();
  });

  test('a cross-origin simple POST (text/plain) to a control is 403 and changes nothing, even with the token', async () => {
    for (const headers of [{}, { authorization: `Bearer ${TOKEN}` }] as Array<Record<string, string>>) {
      const answer = await send(server, 'POST', '/request/disable', { origin: 'http://attacker.example', 'content-type': 'text/plain', ...headers }, 'x');
      assert.equal(answer.status, 403);
      assert.equal(answer.body.code, 'CCN_ERR_HTTP_FORBIDDEN_ORIGIN');
      assert.equal(answer.headers['access-control-allow-origin'], undefined);
    }
    const form = await send(server, 'POST', '/request/disable', { origin: 'null', 'content-type': 'application/x-www-form-urlencoded' }, 'a=b');
    assert.equal(form.status, 403);
    assert.deepEqual(calls, []);
    assert.equal(enabled, true);
  });

  test('no token or a wrong one: 401 and the control never runs; the right bearer token: 200', async () => {
    assert.equal((await send(server, 'POST', '/request/disable')).status, 401);
    assert.equal((await send(server, 'POST', '/request/disable', { authorization: `Bearer ${'00'.repeat(32)}` })).status, 401);
    assert.equal((await send(server, 'POST', '/request/disable?access_hash=anything')).status, 401, 'no access hash configured: none is accepted');
    assert.equal((await send(server, 'POST', '/request/nope')).status, 401, 'the whole /request/ namespace is guarded');
    assert.deepEqual(calls, []);
    const answer = await send(server, 'POST', '/request/disable', { authorization: `Bearer ${TOKEN}` });
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, { enabled: false });
    assert.equal(answer.headers['access-control-allow-origin'], undefined);
    assert.equal((await send(server, 'GET', '/request/enable', { authorization: `Bearer ${TOKEN}` })).status, 405);
    assert.equal((await send(server, 'POST', '/request/nope', { authorization: `Bearer ${TOKEN}` })).status, 404);
    assert.equal((await send(server, 'POST', '/request/enable', { authorization: `Bearer ${TOKEN}`, origin: ALLOWED })).status, 200, 'an allowed origin with the token');
    assert.deepEqual(calls, ['disable', 'enable']);
  });

  test('the access hash keeps working (controls and stats), and the bearer token opens the stats pages too', async () => {
    assert.equal((await send(hashed, 'GET', '/jsonstats')).status, 401);
    assert.equal((await send(hashed, 'GET', '/jsonstats?access_hash=sesame')).status, 200);
    assert.equal((await send(hashed, 'GET', '/jsonstats', { authorization: `Bearer ${TOKEN}` })).status, 200);
    assert.equal((await send(hashed, 'POST', '/request/settle?access_hash=wrong')).status, 401);
    const settled = await send(hashed, 'POST', '/request/settle?access_hash=sesame');
    assert.equal(settled.status, 200);
    assert.deepEqual(settled.body, { settled: true });
  });

  test('a foreign Host (DNS rebinding) is 421 on every path; served names pass', async () => {
    for (const [method, path] of [['GET', '/jsonstats'], ['GET', '/stats'], ['POST', '/request/disable'], ['OPTIONS', '/jsonstats']] as const) {
      const answer = await send(server, method, path, { host: `attacker.example:${server.port}`, authorization: `Bearer ${TOKEN}` });
      assert.equal(answer.status, 421, `${method} ${path}`);
      assert.equal(answer.body.code, 'CCN_ERR_HTTP_MISDIRECTED');
    }
    assert.equal((await send(server, 'GET', '/jsonstats', { host: `localhost:${server.port}` })).status, 200);
    assert.equal((await send(server, 'GET', '/jsonstats', { host: 'stats.example' })).status, 200);
    assert.equal(enabled, true);
  });

  test('an HTTP/1.0 request without a Host header is refused with 421', async () => {
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(server.port, '127.0.0.1', () => socket.end('GET /jsonstats HTTP/1.0\r\n\r\n'));
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      socket.on('error', reject);
    });
    assert.match(answer, /^HTTP\/1\.[01] 421 /);
    assert.match(answer, /CCN_ERR_HTTP_MISDIRECTED/);
  });

  test('CORS: an allowed origin is echoed exactly, others get 403 and no CORS, and nothing is ever *', async () => {
    const allowed = await send(server, 'GET', '/jsonstats', { origin: ALLOWED });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers['access-control-allow-origin'], ALLOWED);
    const plain = await send(server, 'GET', '/jsonstats');
    assert.equal(plain.headers['access-control-allow-origin'], undefined);
    const other = await send(server, 'GET', '/jsonstats', { origin: 'http://attacker.example' });
    assert.equal(other.status, 403);
    assert.equal(other.headers['access-control-allow-origin'], undefined);
    const preflight = await send(server, 'OPTIONS', '/jsonstats', { origin: ALLOWED, 'access-control-request-method': 'GET' });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], ALLOWED);
    const controlPreflight = await send(server, 'OPTIONS', '/request/disable', { origin: ALLOWED, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' });
    assert.equal(controlPreflight.status, 204);
    assert.equal(controlPreflight.headers['access-control-allow-origin'], undefined, 'never CORS on control endpoints');
    assert.equal(controlPreflight.headers['access-control-allow-headers'], undefined);
  });
});

describe('stats HTTP server pages and failures', () => {
  let server: StatsHttpServer;
  let failStats = false;
  const queries: string[] = [];
  before(async () => {
    server = await startStatsHttpServer({
      host: '127.0.0.1', port: 0, title: 'worker <12000>', adminToken: TOKEN,
      jsonStats: async () => {
        await Promise.resolve();
        if (failStats) throw new Error('stats source broke');
        return { status: { model: '<b>tiny</b>', earned: 2n ** 60n, queries: 3n } };
      },
      controls: {
        payout: async (query) => { queries.push(query.toString()); throw new CocoonError('CCN_ERR_TON_LOW_BALANCE', 'ACTION REQUIRED: fund EQ…'); },
        crash: async () => { throw new Error('handler bug'); },
        echo: async (query) => ({ amount: BigInt(query.get('amount') ?? '0') }),
      },
    });
  });
  after(() => server.close());
  const auth = { authorization: `Bearer ${TOKEN}` };

  test('the URL names the bound address and port', () => {
    assert.equal(server.url, `http://127.0.0.1:${server.port}`);
    assert.ok(server.port > 0);
  });

  test('/jsonstats is JSON with exact bigints; /stats and / are the escaped HTML page', async () => {
    const json = await send(server, 'GET', '/jsonstats');
    assert.equal(json.status, 200);
    assert.equal(json.headers['content-type'], 'application/json');
    assert.deepEqual(json.body, { status: { model: '<b>tiny</b>', earned: String(2n ** 60n), queries: 3 } });
    for (const path of ['/stats', '/', '/stats?x=1']) {
      const page = await send(server, 'GET', path);
      assert.equal(page.status, 200, path);
      assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
      const text = String(page.body.text);
      assert.equal(Number(page.headers['content-length']), Buffer.byteLength(text));
      assert.ok(text.includes('<title>worker &#60;12000&#62;</title>') && text.includes('&#60;b&#62;tiny') && text.includes(String(2n ** 60n)));
    }
  });

  test('other paths and methods are 404 with the table code', async () => {
    for (const [method, path] of [['GET', '/nope'], ['POST', '/jsonstats'], ['PUT', '/stats'], ['GET', '/jsonstats/']] as const) {
      const answer = await send(server, method, path);
      assert.equal(answer.status, 404, `${method} ${path}`);
      assert.equal(answer.body.code, 'CCN_ERR_HTTP_NOT_FOUND');
    }
  });

  test('a control gets the query; its CocoonError keeps its status and code, any other failure is a 500', async () => {
    const low = await send(server, 'POST', '/request/payout?to=worker&all=1', auth);
    assert.equal(low.status, 503);
    assert.deepEqual(low.body, { error: 'ACTION REQUIRED: fund EQ…', code: 'CCN_ERR_TON_LOW_BALANCE' });
    assert.deepEqual(queries, ['to=worker&all=1']);
    const crash = await send(server, 'POST', '/request/crash', auth);
    assert.equal(crash.status, 500);
    assert.deepEqual(crash.body, { error: 'handler bug', code: 'CCN_ERR_INTERNAL' });
    const echo = await send(server, 'POST', '/request/echo?amount=123456789012345678901', auth, 'ignored body');
    assert.deepEqual(echo.body, { amount: '123456789012345678901' });
  });

  test('a failing stats source is a 500 for that request only; the server keeps serving', async () => {
    failStats = true;
    try {
      const failed = await send(server, 'GET', '/jsonstats');
      assert.equal(failed.status, 500);
      assert.equal(failed.body.code, 'CCN_ERR_INTERNAL');
    } finally {
      failStats = false;
    }
    assert.equal((await send(server, 'GET', '/jsonstats')).status, 200);
  });

  test('starting on a port in use fails; close() also ends idle keep-alive connections', async () => {
    await assert.rejects(startStatsHttpServer({ host: '127.0.0.1', port: server.port, title: 't', jsonStats: () => ({}) }), { code: 'EADDRINUSE' });
    const other = await startStatsHttpServer({ host: '127.0.0.1', port: 0, title: 't', jsonStats: () => ({}) });
    const agent = new Agent({ keepAlive: true });
    try {
      const socketClosed = await new Promise<Promise<void>>((resolve, reject) => {
        const request = httpRequest({ host: '127.0.0.1', port: other.port, path: '/jsonstats', agent }, (response) => {
          response.resume();
          response.on('end', () => resolve(closed));
        });
        const closed = new Promise<void>((done) => request.once('socket', (socket) => socket.once('close', () => done())));
        request.on('error', reject).end();
      });
      await other.close();
      await socketClosed;
    } finally {
      agent.destroy();
      await other.close();
    }
  });
});
