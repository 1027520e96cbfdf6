/**
 * HttpRequestGuard: Host names (421), Origin (403), CORS only for configured origins and never
 * on control paths, the admin credential (bearer token or access hash, 401) and media types (415).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { HttpRequestGuard, hostNameOfHeader, isControlPath, isSameOrigin, mediaTypeOf, requireJsonContentType, requireMediaType } from '../../src/index.ts';

const TOKEN = 'ab'.repeat(32);
const ALLOWED = 'http://127.0.0.1:10000';
const guard = new HttpRequestGuard({ bindHost: '127.0.0.1', adminToken: TOKEN, corsOrigins: [ALLOWED], allowedHosts: ['Cocoon.Example'] });
const url = (path: string): URL => new URL(path, 'http://127.0.0.1');
const codeOf = (run: () => void): string | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

describe('HttpRequestGuard', () => {
  test('Host: loopback names with any port, the bound host and configured names pass; others and none are 421', () => {
    for (const host of ['localhost', 'localhost:10000', '127.0.0.1:1', '[::1]:12000', '[::1]', 'cocoon.example', 'COCOON.EXAMPLE:443']) {
      assert.equal(codeOf(() => guard.checkHost({ host })), undefined, host);
    }
    for (const host of ['attacker.example', 'attacker.example:10000', '127.0.0.2', 'localhost.attacker.example', '::1', 'localhost:x', '[::1', '']) {
      assert.equal(codeOf(() => guard.checkHost({ host })), 'CCN_ERR_HTTP_MISDIRECTED', host);
    }
    assert.equal(codeOf(() => guard.checkHost({})), 'CCN_ERR_HTTP_MISDIRECTED', 'a request without Host (HTTP/1.0) is refused');
    const wildcard = new HttpRequestGuard({ bindHost: '0.0.0.0' });
    assert.equal(codeOf(() => wildcard.checkHost({ host: '0.0.0.0:10000' })), 'CCN_ERR_HTTP_MISDIRECTED', 'a wildcard bind serves no name of its own');
    const named = new HttpRequestGuard({ bindHost: '10.1.2.3' });
    assert.equal(codeOf(() => named.checkHost({ host: '10.1.2.3:11000' })), undefined);
  });

  test('hostNameOfHeader parses name[:port] and [v6][:port]', () => {
    assert.equal(hostNameOfHeader('Example.COM:80'), 'example.com');
    assert.equal(hostNameOfHeader('[::1]:8080'), '::1');
    assert.equal(hostNameOfHeader('[::1]x'), undefined);
    assert.equal(hostNameOfHeader(undefined), undefined);
  });

  test('Origin: none or an allowed one passes; any other, including null, is 403', () => {
    assert.equal(codeOf(() => guard.checkOrigin({})), undefined);
    assert.equal(codeOf(() => guard.checkOrigin({ origin: ALLOWED })), undefined);
    for (const origin of ['http://attacker.example', 'null', 'http://127.0.0.1:10001', 'http://localhost:10000', `${ALLOWED}/`]) {
      assert.equal(codeOf(() => guard.checkOrigin({ origin })), 'CCN_ERR_HTTP_FORBIDDEN_ORIGIN', origin);
    }
  });

  test('same origin (Origin = http:// + Host) passes on non-control paths only; without a path only the configured origins', () => {
    const own = { host: '127.0.0.1:10001', origin: 'http://127.0.0.1:10001' };
    assert.equal(codeOf(() => guard.checkOrigin(own, '/v1/chat/completions')), undefined);
    assert.equal(codeOf(() => guard.screen(own, '/app/')), undefined);
    assert.equal(codeOf(() => guard.checkOrigin(own, '/request/close')), 'CCN_ERR_HTTP_FORBIDDEN_ORIGIN', 'control paths refuse every Origin');
    assert.equal(codeOf(() => guard.checkOrigin(own)), 'CCN_ERR_HTTP_FORBIDDEN_ORIGIN', 'no path: the strict rule (stats servers)');
    assert.equal(codeOf(() => guard.screen({ host: 'rebind.attacker.test:10001', origin: 'http://rebind.attacker.test:10001' }, '/v1/models')), 'CCN_ERR_HTTP_MISDIRECTED');
    assert.deepEqual(guard.corsHeaders(own, '/v1/models'), {}, 'same origin needs no CORS headers');
    assert.equal(isSameOrigin({ host: 'Cocoon.Example:443', origin: 'http://cocoon.example:443' }), true);
    assert.equal(isSameOrigin({ host: 'localhost:80', origin: 'http://localhost' }), true);
    assert.equal(isSameOrigin({ host: '[::1]:10000', origin: 'http://[::1]:10000' }), true);
    for (const [host, origin] of [
      ['127.0.0.1:10001', 'https://127.0.0.1:10001'], ['127.0.0.1:10001', 'http://127.0.0.1:10002'], ['127.0.0.1:10001', 'null'],
      ['evil@127.0.0.1:10001', 'http://127.0.0.1:10001'], ['127.0.0.1:10001/x', 'http://127.0.0.1:10001'], ['127.0.0.1:10001', 'http://127.0.0.1:10001/'],
    ] as const) {
      assert.equal(isSameOrigin({ host, origin }), false, `${host} ${origin}`);
    }
    assert.equal(isSameOrigin({ origin: 'http://127.0.0.1:10001' }), false);
    assert.equal(isSameOrigin({ host: '127.0.0.1:10001' }), false);
  });

  test('CORS: the allowed origin is echoed exactly on non-control paths; never *, never on /request/*', () => {
    assert.deepEqual(guard.corsHeaders({}, '/v1/models'), {});
    assert.deepEqual(guard.corsHeaders({ origin: 'http://attacker.example' }, '/v1/models'), {});
    assert.deepEqual(guard.corsHeaders({ origin: ALLOWED }, '/request/close'), {});
    const headers = guard.corsHeaders({ origin: ALLOWED }, '/v1/models');
    assert.equal(headers['access-control-allow-origin'], ALLOWED);
    assert.equal(headers.vary, 'origin');
    const preflight = guard.preflightHeaders({ origin: ALLOWED, 'access-control-request-headers': 'authorization, content-type, x-stainless-os' }, '/v1/chat/completions');
    assert.equal(preflight['access-control-allow-origin'], ALLOWED);
    assert.equal(preflight['access-control-allow-headers'], 'authorization, content-type, x-stainless-os');
    assert.match(preflight['access-control-allow-methods'] ?? '', /POST/);
    const odd = guard.preflightHeaders({ origin: ALLOWED, 'access-control-request-headers': 'x\r\ny: z' }, '/v1/chat/completions');
    assert.equal(odd['access-control-allow-headers'], 'accept, authorization, content-type, x-cocoon-e2e, x-telegram-init-data', "the SDK's headers");
    assert.equal(guard.preflightHeaders({ origin: ALLOWED }, '/request/close')['access-control-allow-origin'], undefined);
    assert.equal(guard.preflightHeaders({ origin: 'http://attacker.example' }, '/v1/models')['access-control-allow-origin'], undefined);
  });

  test('admin credential: the bearer token, or the access hash when one is configured', () => {
    const bearer = (value: string): IncomingHttpHeaders => ({ authorization: value });
    assert.equal(guard.hasAdminCredential({}, url('/request/x')), false);
    assert.equal(guard.hasAdminCredential(bearer(`Bearer ${TOKEN}`), url('/request/x')), true);
    assert.equal(guard.hasAdminCredential(bearer(`bearer   ${TOKEN} `), url('/request/x')), true);
    assert.equal(guard.hasAdminCredential(bearer(`Bearer ${TOKEN}0`), url('/request/x')), false);
    assert.equal(guard.hasAdminCredential(bearer(`Basic ${TOKEN}`), url('/request/x')), false);
    assert.equal(guard.hasAdminCredential(bearer('Bearer '), url('/request/x')), false);
    assert.equal(guard.hasAdminCredential({}, url(`/request/x?access_hash=${TOKEN}`)), false, 'the token is no access hash');
    assert.equal(codeOf(() => guard.requireAdmin({}, url('/request/x'))), 'CCN_ERR_HTTP_UNAUTHORIZED');
    const hashed = new HttpRequestGuard({ bindHost: '127.0.0.1', adminToken: TOKEN, accessHash: 'sesame' });
    assert.equal(hashed.hasAdminCredential({}, url('/request/x?access_hash=sesame')), true);
    assert.equal(hashed.hasAdminCredential({}, url('/request/x?access_hash=sesam')), false);
    const neither = new HttpRequestGuard({ bindHost: '127.0.0.1' });
    assert.equal(neither.hasAdminCredential(bearer('Bearer '), url('/request/x?access_hash=')), false, 'no credential configured: nothing opens the controls');
  });

  test('an error never carries the token', () => {
    try {
      guard.requireAdmin({ authorization: 'Bearer wrong' }, url('/request/x'));
      assert.fail('refused');
    } catch (error) {
      assert.ok(!String((error as Error).message).includes(TOKEN));
      assert.ok(!String((error as Error).message).includes('wrong'));
    }
  });

  test('stats access: open without an access hash; with one, the hash or the bearer token', () => {
    assert.equal(codeOf(() => guard.requireStatsAccess({}, url('/jsonstats'))), undefined);
    const hashed = new HttpRequestGuard({ bindHost: '127.0.0.1', adminToken: TOKEN, accessHash: 'sesame' });
    assert.equal(codeOf(() => hashed.requireStatsAccess({}, url('/jsonstats'))), 'CCN_ERR_HTTP_UNAUTHORIZED');
    assert.equal(codeOf(() => hashed.requireStatsAccess({}, url('/jsonstats?access_hash=sesame'))), undefined);
    assert.equal(codeOf(() => hashed.requireStatsAccess({ authorization: `Bearer ${TOKEN}` }, url('/jsonstats'))), undefined);
  });

  test('media types: application/json with parameters passes; text/plain, forms and none are 415', () => {
    assert.equal(mediaTypeOf(' Application/JSON ; charset=utf-8'), 'application/json');
    assert.equal(codeOf(() => requireJsonContentType({ 'content-type': 'application/json; charset=UTF-8' })), undefined);
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', 'text/json']) {
      assert.equal(codeOf(() => requireJsonContentType({ 'content-type': type })), 'CCN_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE', type);
    }
    assert.equal(codeOf(() => requireJsonContentType({})), 'CCN_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE');
    assert.equal(codeOf(() => requireMediaType({ 'content-type': 'multipart/form-data; boundary=b' }, 'multipart/form-data')), undefined);
    assert.equal(codeOf(() => requireMediaType({ 'content-type': 'text/plain' }, 'multipart/form-data')), 'CCN_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE');
  });

  test('control paths are the /request/ namespace', () => {
    assert.equal(isControlPath('/request/close'), true);
    assert.equal(isControlPath('/request/'), true);
    assert.equal(isControlPath('/requests'), false);
    assert.equal(isControlPath('/v1/models'), false);
  });
});
