/**
 * The HTTP doors of the three runners, started in process off chain (proxy, worker on the test
 * engine, client): each creates its admin token file (0600) at first start and reuses it on
 * restart; every control endpoint refuses cross-origin simple POSTs (403), requests without the
 * token (401) and foreign Host names (421) without changing state; the bearer token works. The client serves its
 * app_dir at /app/ (public, with its CSP) and accepts its own origin on the API, never on its controls.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type RunnerHandle } from '@cocoon/protocol';
import { proxyConfigSchema, startProxyRunner } from '@cocoon/proxy';
import { startTestEngine, startWorkerRunner, workerConfigSchema, type TestEngine } from '@cocoon/worker';
import { clientConfigSchema, startClientRunner } from '@cocoon/client';

interface Answer { status: number; headers: Record<string, string | string[] | undefined>; text: string }

function send(url: string, method: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

const ATTACKER = { origin: 'http://attacker.example', 'content-type': 'text/plain' };
const quiet = (name: string) => createLogger(name, { level: 'error' });

describe('runner HTTP doors (proxy, worker, client in process)', () => {
  const directory = mkdtempSync(join(tmpdir(), 'cocoon-runner-doors-'));
  const tokenFile = (role: string): string => join(directory, role, 'admin.token');
  const token = (role: string): string => readFileSync(tokenFile(role), 'utf8').trim();
  let engine: TestEngine;
  let proxy: RunnerHandle;
  let worker: RunnerHandle;
  let client: RunnerHandle;
  let urls: Record<'proxy' | 'worker' | 'client', string>;
  const workerConfig = () => workerConfigSchema.parse({
    engine_url: engine.url, proxy_address: `127.0.0.1:${(proxy.readyInfo as { worker_port: number }).worker_port}`, http_port: 0, admin_token_file: tokenFile('worker'),
  });
  const workerEnabled = async (): Promise<unknown> => (JSON.parse((await send(`${urls.worker}/jsonstats`, 'GET')).text) as { status: { enabled: unknown } }).status.enabled;

  before(async () => {
    engine = await startTestEngine({ host: '127.0.0.1', port: 0 });
    proxy = await startProxyRunner(proxyConfigSchema.parse({ client_port: 0, worker_port: 0, http_port: 0, pow_difficulty: 2, admin_token_file: tokenFile('proxy') }), { logger: quiet('proxy') });
    worker = await startWorkerRunner(workerConfig(), { logger: quiet('worker') });
    const clientPort = (proxy.readyInfo as { client_port: number }).client_port;
    mkdirSync(join(directory, 'app'));
    writeFileSync(join(directory, 'app', 'index.html'), '<!DOCTYPE html><title>page</title>');
    client = await startClientRunner(clientConfigSchema.parse({
      proxy_address: `127.0.0.1:${clientPort}`, http_port: 0, admin_token_file: tokenFile('client'), app_dir: join(directory, 'app'),
    }), { logger: quiet('client') });
    urls = { proxy: proxy.readyInfo.stats_url as string, worker: worker.readyInfo.stats_url as string, client: `http://127.0.0.1:${client.readyInfo.http_port as number}` };
  });
  after(async () => {
    await client?.close();
    await worker?.close();
    await proxy?.close();
    await engine?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  test('each runner created its admin token file: 32 random bytes as hex, mode 0600, all different', () => {
    const tokens = ['proxy', 'worker', 'client'].map((role) => {
      assert.equal(statSync(tokenFile(role)).mode & 0o777, 0o600, role);
      assert.match(token(role), /^[0-9a-f]{64}$/, role);
      return token(role);
    });
    assert.equal(new Set(tokens).size, 3);
  });

  const controls: Array<['proxy' | 'worker' | 'client', string]> = [
    ['worker', '/request/disable'], ['worker', '/request/enable'], ['worker', '/request/payout'],
    ['proxy', '/request/settle'], ['proxy', '/request/save_state'],
    ['client', '/request/close'], ['client', '/request/topup'], ['client', '/request/withdraw'], ['client', '/request/charge'],
  ];

  test('every control endpoint: cross-origin simple POST 403, no token 401, foreign Host 421; the worker stays enabled', async () => {
    for (const [role, path] of controls) {
      const crossSite = await send(`${urls[role]}${path}`, 'POST', ATTACKER, 'x');
      assert.equal(crossSite.status, 403, `${role} ${path} cross-origin`);
      assert.equal(crossSite.headers['access-control-allow-origin'], undefined);
      assert.equal((await send(`${urls[role]}${path}`, 'POST')).status, 401, `${role} ${path} without a token`);
      assert.equal((await send(`${urls[role]}${path}`, 'POST', { authorization: `Bearer ${token(role === 'proxy' ? 'worker' : 'proxy')}` })).status, 401, `${role} ${path} with another runner's token`);
      const rebound = await send(`${urls[role]}${path}`, 'POST', { host: 'attacker.example', authorization: `Bearer ${token(role)}` });
      assert.equal(rebound.status, 421, `${role} ${path} foreign Host`);
    }
    assert.equal(await workerEnabled(), true, 'no refused request disabled the worker');
  });

  test('the bearer token drives the controls (off chain the chain controls do not exist: 404)', async () => {
    const auth = (role: string) => ({ authorization: `Bearer ${token(role)}` });
    const disabled = await send(`${urls.worker}/request/disable`, 'POST', auth('worker'));
    assert.equal(disabled.status, 200);
    assert.equal(await workerEnabled(), false);
    assert.equal((await send(`${urls.worker}/request/enable`, 'POST', auth('worker'))).status, 200);
    assert.equal(await workerEnabled(), true);
    assert.equal((await send(`${urls.proxy}/request/settle`, 'POST', auth('proxy'))).status, 404);
    assert.equal((await send(`${urls.client}/request/close`, 'POST', auth('client'))).status, 404);
  });

  test('Host checks on the stats pages and the inference API; text/plain inference is 415; no answer carries CORS *', async () => {
    for (const url of [`${urls.proxy}/jsonstats`, `${urls.worker}/jsonstats`, `${urls.client}/jsonstats`, `${urls.client}/v1/models`]) {
      const rebound = await send(url, 'GET', { host: 'attacker.example' });
      assert.equal(rebound.status, 421, url);
      const plain = await send(url, 'GET');
      assert.equal(plain.status, 200, url);
      assert.equal(plain.headers['access-control-allow-origin'], undefined, url);
    }
    const body = JSON.stringify({ model: 'test/tiny-chat', messages: [{ role: 'user', content: 'hi' }] });
    const simple = await send(`${urls.client}/v1/chat/completions`, 'POST', ATTACKER, body);
    assert.equal(simple.status, 403);
    const textPlain = await send(`${urls.client}/v1/chat/completions`, 'POST', { 'content-type': 'text/plain' }, body);
    assert.equal(textPlain.status, 415);
    assert.match(textPlain.text, /CCN_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE/);
  });

  test('the client serves app_dir at /app/ and takes its own origin on the API, not on the controls nor under a foreign Host', async () => {
    const page = await send(`${urls.client}/app/`, 'GET');
    assert.equal(page.status, 200);
    assert.equal(page.text, '<!DOCTYPE html><title>page</title>');
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
    assert.equal((await send(`${urls.client}/app`, 'GET')).headers.location, '/app/');
    const own = new URL(urls.client).origin;
    const models = await send(`${urls.client}/v1/models`, 'GET', { origin: own });
    assert.equal(models.status, 200, models.text);
    assert.equal(models.headers['access-control-allow-origin'], undefined);
    const close = await send(`${urls.client}/request/close`, 'POST', { origin: own, authorization: `Bearer ${token('client')}` });
    assert.equal(close.status, 403);
    const port = new URL(urls.client).port;
    const rebound = await send(`${urls.client}/app/`, 'GET', { host: `rebind.attacker.test:${port}`, origin: `http://rebind.attacker.test:${port}` });
    assert.equal(rebound.status, 421);
    const workerOwn = await send(`${urls.worker}/request/disable`, 'POST', { origin: new URL(urls.worker).origin, authorization: `Bearer ${token('worker')}` });
    assert.equal(workerOwn.status, 403, 'a stats server takes no Origin on its controls');
    assert.equal(await workerEnabled(), true);
  });

  test('a restarted worker reuses its token file', async () => {
    const before = token('worker');
    await worker.close();
    worker = await startWorkerRunner(workerConfig(), { logger: quiet('worker') });
    urls.worker = worker.readyInfo.stats_url as string;
    assert.equal(token('worker'), before);
    assert.equal((await send(`${urls.worker}/request/enable`, 'POST', { authorization: `Bearer ${before}` })).status, 200);
  });
});
