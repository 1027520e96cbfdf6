/**
 * A real browser (Debian's chromium driven by playwright-core, never a downloaded one) on an
 * "attacker" page from another 127.0.0.1 origin tries what any web page could: read the client's
 * `/jsonstats` and `/v1/models` and a stats server's `/jsonstats`, close the contract and run
 * inference with no-cors `text/plain` POSTs and form POSTs, and DNS rebinding (a page whose host
 * name resolves to 127.0.0.1). Nothing is readable, no control runs, the gateway is never called.
 * A page from a configured origin can read `/v1/models` (CORS for allowed origins works). A page the edge
 * serves itself (`app_dir` at /app/) uses the API same-origin without being configured, but its POSTs to
 * the controls are refused, and a rebinding name for it is 421.
 * Without chromium (CHROMIUM_PATH, default /usr/bin/chromium) the test is skipped, except in CI.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startStatsHttpServer, type StatsHttpServer } from '@cocoon/protocol';
import { startTestServer, type TestServer } from '../http/test-server.ts';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const browserMissing = !existsSync(executablePath);
if (browserMissing && process.env.CI === 'true') throw new Error(`chromium not found at ${executablePath} (set CHROMIUM_PATH); the browser test must run in CI`);
const skip = browserMissing ? `chromium not found at ${executablePath} (install Debian's chromium or set CHROMIUM_PATH)` : false;
const TOKEN = '7e'.repeat(32);
const REBIND_HOST = 'rebind.attacker.test';

async function startPageServer(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_request: IncomingMessage, response: ServerResponse) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end('<!DOCTYPE html><html><body><p>a page</p></body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/**
 * In-page scripts are plain JavaScript text: tsx compiles functions with name helpers that do not
 * exist in the page, so page.evaluate gets source code, not a compiled function.
 */
const ATTACK_SCRIPT = `async ({ client, stats }) => {
  async function outcome(attempt) {
    try {
      const response = await attempt;
      return response.type === 'opaque' ? 'opaque' : 'read ' + response.status + ' ' + (await response.text());
    } catch {
      return 'blocked';
    }
  }
  const chat = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
  function noCors(url, body) {
    return fetch(url, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body });
  }
  return {
    statsJson: await outcome(fetch(stats + '/jsonstats')),
    clientJson: await outcome(fetch(client + '/jsonstats')),
    models: await outcome(fetch(client + '/v1/models')),
    corsChat: await outcome(fetch(client + '/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: chat })),
    bearerClose: await outcome(fetch(client + '/request/close', { method: 'POST', headers: { authorization: 'Bearer guess' } })),
    clientClose: await outcome(noCors(client + '/request/close', 'x')),
    statsClose: await outcome(noCors(stats + '/request/close', 'x')),
    chat: await outcome(noCors(client + '/v1/chat/completions', chat)),
  };
}`;

const FORM_SCRIPT = `async ({ action, enctype, fields }) => {
  const name = 'frame-' + Math.random().toString(36).slice(2);
  const frame = document.createElement('iframe');
  frame.name = name;
  document.body.append(frame);
  const loaded = new Promise((resolve) => frame.addEventListener('load', () => resolve(), { once: true }));
  const form = document.createElement('form');
  Object.assign(form, { method: 'POST', action, enctype, target: name });
  for (const [key, value] of Object.entries(fields)) {
    const input = document.createElement('input');
    Object.assign(input, { type: 'hidden', name: key, value });
    form.append(input);
  }
  document.body.append(form);
  form.submit();
  await loaded;
}`;

const SAME_ORIGIN_READ_SCRIPT = `(async () => {
  const response = await fetch('/jsonstats');
  return { status: response.status, text: await response.text() };
})()`;

/** Run by the edge's own page (/app/): same-origin requests, so the browser sends Origin on the POSTs only. */
const OWN_PAGE_SCRIPT = `(async () => {
  async function outcome(attempt) {
    try {
      const response = await attempt;
      return response.status + ' ' + (await response.text());
    } catch {
      return 'blocked';
    }
  }
  const chat = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
  return {
    models: await outcome(fetch('/v1/models')),
    chat: await outcome(fetch('/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: chat })),
    close: await outcome(fetch('/request/close', { method: 'POST', headers: { authorization: 'Bearer ${TOKEN}' } })),
  };
})()`;

/** What the page could do with each attempt: 'blocked' (network error), 'opaque' (sent, unreadable) or the text it read. */
function attack(page: Page, targets: { client: string; stats: string }): Promise<Record<string, string>> {
  return page.evaluate(`(${ATTACK_SCRIPT})(${JSON.stringify(targets)})`) as Promise<Record<string, string>>;
}

/** Submits a form (as a cross-site page would) into a hidden iframe and waits until its answer loaded. */
async function submitForm(page: Page, action: string, enctype: string, fields: Record<string, string>): Promise<void> {
  await page.evaluate(`(${FORM_SCRIPT})(${JSON.stringify({ action, enctype, fields })})`);
}

describe('cross-origin attacks from a real browser', { skip }, () => {
  let browser: Browser;
  let attackerPage: { server: Server; origin: string };
  let allowedPage: { server: Server; origin: string };
  let edge: TestServer;
  let stats: StatsHttpServer;
  const operations: string[] = [];
  const controlCalls: string[] = [];
  const appDir = mkdtempSync(join(tmpdir(), 'cocoon-browser-app-'));

  before(async () => {
    writeFileSync(join(appDir, 'index.html'), '<!DOCTYPE html><html><body><p>the light client</p></body></html>');
    attackerPage = await startPageServer();
    allowedPage = await startPageServer();
    edge = await startTestServer({
      adminToken: TOKEN, corsOrigins: [allowedPage.origin], appDir,
      requestRoutes: async (_request, response, url) => {
        operations.push(url.pathname);
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"closed":true}');
        return true;
      },
    });
    edge.gateway.models = [{ id: 'm', workers: [{ coefficient: 1000, runningRequests: 0, maxRunningRequests: 4 }] }];
    stats = await startStatsHttpServer({
      host: '127.0.0.1', port: 0, title: 'stats', adminToken: TOKEN, jsonStats: () => ({ secret_stat: 42 }),
      controls: { close: async () => { controlCalls.push('close'); return { closed: true }; } },
    });
    browser = await chromium.launch({ executablePath, args: [`--host-resolver-rules=MAP ${REBIND_HOST} 127.0.0.1`] });
  });
  after(async () => {
    await browser?.close();
    await edge?.server.close();
    await stats?.close();
    attackerPage?.server.close();
    allowedPage?.server.close();
    rmSync(appDir, { recursive: true, force: true });
  });

  test('an attacker page reads nothing, closes nothing, runs no inference', { timeout: 20_000 }, async () => {
    const page = await browser.newPage();
    await page.goto(attackerPage.origin);
    const outcomes = await attack(page, { client: edge.url, stats: stats.url });
    assert.deepEqual(outcomes, {
      statsJson: 'blocked', clientJson: 'blocked', models: 'blocked', corsChat: 'blocked', bearerClose: 'blocked',
      clientClose: 'opaque', statsClose: 'opaque', chat: 'opaque',
    });
    await submitForm(page, `${edge.url}/request/close`, 'application/x-www-form-urlencoded', { proxy: 'x' });
    await submitForm(page, `${stats.url}/request/close`, 'application/x-www-form-urlencoded', {});
    await submitForm(page, `${edge.url}/v1/chat/completions`, 'text/plain', { '{"model":"m","messages":[],"x":"': '"}' });
    await submitForm(page, `${edge.url}/v1/audio/transcriptions`, 'multipart/form-data', { model: 'whisper', file: 'x' });
    assert.deepEqual(operations, [], 'no client contract operation ran');
    assert.deepEqual(controlCalls, [], 'no stats control ran');
    assert.equal(edge.gateway.requests.length, 0, 'the gateway was never called');
    await page.close();
  });

  test('DNS rebinding: a page whose host name resolves to 127.0.0.1 cannot read the servers as same-origin', { timeout: 20_000 }, async () => {
    const page = await browser.newPage();
    const clientPort = new URL(edge.url).port;
    const answer = await page.goto(`http://${REBIND_HOST}:${clientPort}/v1/models`);
    assert.equal(answer?.status(), 421, 'the page itself is refused');
    const read = await page.evaluate(SAME_ORIGIN_READ_SCRIPT) as { status: number; text: string };
    assert.equal(read.status, 421);
    assert.doesNotMatch(read.text, /queries/);
    await page.close();
  });

  test('a page from a configured origin can use the API (CORS for allowed origins), but not the controls', { timeout: 20_000 }, async () => {
    const page = await browser.newPage();
    await page.goto(allowedPage.origin);
    const outcomes = await attack(page, { client: edge.url, stats: stats.url });
    assert.match(outcomes.models ?? '', /^read 200 .*"id":"m"/);
    assert.match(outcomes.corsChat ?? '', /^read 200 /);
    assert.equal(outcomes.bearerClose, 'blocked', 'control endpoints never answer a preflight with CORS');
    assert.equal(outcomes.statsJson, 'blocked', 'the stats server allows no origin here');
    assert.equal(outcomes.clientClose, 'opaque');
    assert.deepEqual(operations, [], 'a simple POST without the token runs nothing, even from an allowed origin');
    assert.equal(edge.gateway.requests.length, 1, 'only the allowed JSON request reached the gateway');
    await page.close();
  });

  test('the edge\'s own page (/app/) uses the API same-origin unlisted, but not the controls; a rebinding name for it is 421', { timeout: 20_000 }, async () => {
    const page = await browser.newPage();
    const before = edge.gateway.requests.length;
    const loaded = await page.goto(`${edge.url}/app/`);
    assert.equal(loaded?.status(), 200);
    assert.match(loaded?.headers()['content-security-policy'] ?? '', /connect-src 'self'/);
    const outcomes = await page.evaluate(OWN_PAGE_SCRIPT) as Record<string, string>;
    assert.match(outcomes.models ?? '', /^200 .*"id":"m"/);
    assert.match(outcomes.chat ?? '', /^200 /, 'a same-origin POST (with its Origin header) is accepted');
    assert.match(outcomes.close ?? '', /^403 .*CCN_ERR_HTTP_FORBIDDEN_ORIGIN/, 'control endpoints refuse the own origin too, token or not');
    assert.deepEqual(operations, []);
    assert.equal(edge.gateway.requests.length, before + 1);
    const rebound = await page.goto(`http://${REBIND_HOST}:${new URL(edge.url).port}/app/`);
    assert.equal(rebound?.status(), 421);
    await page.close();
  });
});
