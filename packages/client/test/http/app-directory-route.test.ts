/**
 * The client's static page (`app_dir` at /app/): /app is 301 to /app/, /app/ is index.html, files go out with
 * their content type, the Content-Security-Policy and the other headers, HEAD has the same head and no body;
 * nothing outside the directory is ever served — not through `..` or `%2e%2e`, encoded slashes or backslashes,
 * a symlink (file or directory) pointing out, nor a dotfile (directly or through a symlink), an unknown file
 * type, a directory or a malformed escape: each is the edge's 404 JSON. Other methods are 405; without
 * app_dir /app/ is 404; a missing app_dir fails the start with CCN_ERR_CONFIG_INVALID.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_CONTENT_SECURITY_POLICY, startClientHttpServer } from '../../src/http/index.ts';
import { FakeInferenceGateway } from './fake-inference-gateway.ts';
import { send } from './http-test-client.ts';
import { startTestServer } from './test-server.ts';
import type { TestServer } from './test-server.ts';

const SECRET = 'SECRET-OUTSIDE-THE-APP';
const FILES: Record<string, [string, string]> = {
  'index.html': ['<!DOCTYPE html><title>light client</title>', 'text/html; charset=utf-8'],
  'app.js': ['console.log("app");', 'text/javascript; charset=utf-8'],
  'styles.css': ['body { margin: 0 }', 'text/css; charset=utf-8'],
  'config.json': ['{"networkIsTest":true}', 'application/json; charset=utf-8'],
  'app.js.map': ['{"version":3}', 'application/json; charset=utf-8'],
  'logo.svg': ['<svg xmlns="http://www.w3.org/2000/svg"/>', 'image/svg+xml'],
  'icon.png': ['\x89PNG', 'image/png'],
  'favicon.ico': ['ico', 'image/x-icon'],
  'engine.wasm': ['\0asm', 'application/wasm'],
  'sub/page.html': ['<p>nested</p>', 'text/html; charset=utf-8'],
};

describe('app_dir: the page at /app/', () => {
  let directory = '';
  let appDir = '';
  let context: TestServer;
  let without: TestServer;

  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'cocoon-app-dir-'));
    appDir = join(directory, 'app');
    mkdirSync(join(appDir, 'sub'), { recursive: true });
    mkdirSync(join(appDir, '.hidden'));
    mkdirSync(join(directory, 'outside'));
    for (const [name, [content]] of Object.entries(FILES)) writeFileSync(join(appDir, name), content);
    writeFileSync(join(directory, 'outside.js'), SECRET);
    writeFileSync(join(directory, 'outside', 'secret.js'), SECRET);
    writeFileSync(join(appDir, '.env.js'), SECRET);
    writeFileSync(join(appDir, '.hidden', 'x.js'), SECRET);
    writeFileSync(join(appDir, 'notes.txt'), SECRET);
    symlinkSync(join(directory, 'outside.js'), join(appDir, 'link-out.js'));
    symlinkSync(join(directory, 'outside'), join(appDir, 'dir-out'));
    symlinkSync(join(appDir, '.env.js'), join(appDir, 'link-dot.js'));
    symlinkSync(join(appDir, 'app.js'), join(appDir, 'link-in.js'));
    context = await startTestServer({ appDir });
    without = await startTestServer();
  });
  after(async () => {
    await context?.server.close();
    await without?.server.close();
    rmSync(directory, { recursive: true, force: true });
  });

  test('/app is 301 to /app/ (query kept); /app/ is index.html with the CSP and the other headers', async () => {
    for (const [path, location] of [['/app', '/app/'], ['/app?tgWebAppStartParam=x', '/app/?tgWebAppStartParam=x']] as const) {
      const moved = await send(`${context.url}${path}`);
      assert.equal(moved.status, 301, path);
      assert.equal(moved.headers.location, location);
    }
    const index = await send(`${context.url}/app/`);
    assert.equal(index.status, 200);
    assert.equal(index.text, FILES['index.html']![0]);
    assert.equal(index.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(index.headers['content-security-policy'], APP_CONTENT_SECURITY_POLICY);
    assert.match(APP_CONTENT_SECURITY_POLICY, /default-src 'self'; script-src 'self' https:\/\/telegram\.org; connect-src 'self'/);
    assert.match(APP_CONTENT_SECURITY_POLICY, /frame-ancestors 'self' https:\/\/web\.telegram\.org https:\/\/\*\.telegram\.org/);
    assert.equal(index.headers['x-content-type-options'], 'nosniff');
    assert.equal(index.headers['referrer-policy'], 'no-referrer');
    assert.equal(index.headers['cache-control'], 'no-cache');
    assert.equal(index.headers['x-frame-options'], undefined, 'Telegram frames the page; frame-ancestors decides');
  });

  test('every file with its content type; a symlink to a file inside is served', async () => {
    for (const [name, [content, type]] of Object.entries(FILES)) {
      const answer = await send(`${context.url}/app/${name}`);
      assert.equal(answer.status, 200, name);
      assert.equal(answer.headers['content-type'], type, name);
      assert.equal(answer.headers['content-length'], String(Buffer.byteLength(content)), name);
      assert.equal(answer.headers['content-security-policy'], APP_CONTENT_SECURITY_POLICY, name);
    }
    assert.equal((await send(`${context.url}/app/link-in.js`)).text, FILES['app.js']![0]);
    assert.equal((await send(`${context.url}/app/%61pp.js`)).text, FILES['app.js']![0], 'escapes of plain characters are decoded');
  });

  test('HEAD has the head of GET and no body', async () => {
    const head = await send(`${context.url}/app/app.js`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
    assert.equal(head.headers['content-length'], String(FILES['app.js']![0].length));
    assert.equal(head.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal(head.headers['content-security-policy'], APP_CONTENT_SECURITY_POLICY);
    assert.equal((await send(`${context.url}/app`, { method: 'HEAD' })).status, 301);
    assert.equal((await send(`${context.url}/app/nothing.js`, { method: 'HEAD' })).status, 404);
  });

  test('nothing outside the directory, no dotfile, no unknown type, no directory: 404 JSON', async () => {
    const refused = [
      '/app/../outside.js', '/app/%2e%2e/outside.js', '/app/%2E%2E/outside.js', '/app/.%2e/outside.js', '/app/..%2foutside.js', '/app/..%2Foutside.js',
      '/app/%2e%2e%2foutside.js', '/app/..%5coutside.js', '/app/..\\outside.js', '/app/sub/..%2f..%2foutside.js', '/app/sub%2f..%2f..%2foutside.js',
      '/app/link-out.js', '/app/dir-out/secret.js', '/app/dir-out%2fsecret.js',
      '/app/.env.js', '/app/%2eenv.js', '/app/.hidden/x.js', '/app/%2ehidden/x.js', '/app/link-dot.js',
      '/app/notes.txt', '/app/sub', '/app/sub/', '/app//index.html', '/app/app.js%00', '/app/%00.js', '/app/x%zz.js', '/app/nothing.js',
      '/app/index.html/', '/app/app.js/.',
    ];
    for (const path of refused) {
      const answer = await send(`${context.url}${path}`);
      assert.equal(answer.status, 404, `${path}: ${answer.text}`);
      assert.doesNotMatch(answer.text, new RegExp(SECRET), path);
      assert.equal((answer.json().error as { code: string }).code, 'CCN_ERR_HTTP_NOT_FOUND', path);
    }
  });

  test('other methods are 405 JSON; without app_dir /app/ is 404', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const answer = await send(`${context.url}/app/index.html`, { method, body: 'x', headers: { 'content-type': 'text/plain' } });
      assert.equal(answer.status, 405, method);
      assert.equal((answer.json().error as { code: string }).code, 'CCN_ERR_HTTP_METHOD_NOT_ALLOWED');
    }
    for (const path of ['/app', '/app/', '/app/index.html']) assert.equal((await send(`${without.url}${path}`)).status, 404, path);
  });

  test('the page is public like /v1/models: Host and Origin checks apply, no admin token needed', async () => {
    assert.equal((await send(`${context.url}/app/`, { headers: { host: `attacker.example:${context.server.port}` } })).status, 421);
    assert.equal((await send(`${context.url}/app/`, { headers: { origin: 'http://attacker.example' } })).status, 403);
  });

  test('an app_dir that is not a directory fails the start with CCN_ERR_CONFIG_INVALID naming it', async () => {
    for (const bad of [join(directory, 'missing'), join(directory, 'outside.js')]) {
      await assert.rejects(
        startClientHttpServer({ host: '127.0.0.1', port: 0, gateway: new FakeInferenceGateway(), stats: { jsonStats: () => ({}) }, appDir: bad }),
        (error: { code?: string; param?: string; message: string }) => error.code === 'CCN_ERR_CONFIG_INVALID' && error.param === 'app_dir' && error.message.includes(bad),
      );
    }
  });
});
