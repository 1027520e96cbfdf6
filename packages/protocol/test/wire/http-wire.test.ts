/**
 * HTTP messages in their TL envelopes (`http.request`, `http.response`): requests lose the
 * hop-by-hop framing headers and get a fresh Content-Length, header order and duplicates are
 * kept, payloads are exact bytes, the wrong envelope is refused, and the timing headers carry
 * Unix seconds with 6 decimals as the reference writes them.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeBoxed } from '../../src/tl/index.ts';
import {
  decodeHttpRequest,
  decodeHttpResponse,
  encodeHttpRequest,
  encodeHttpResponse,
  unixSecondsHeader,
  withoutFramingHeaders,
  type WireHttpRequest,
} from '../../src/wire/index.ts';

const request: WireHttpRequest = {
  method: 'POST',
  url: '/v1/chat/completions',
  httpVersion: 'HTTP/1.1',
  headers: [['Content-Type', 'application/json'], ['Transfer-Encoding', 'chunked'], ['CONNECTION', 'keep-alive'], ['content-length', '999'], ['X-Tag', 'a'], ['x-tag', 'b']],
  payload: Buffer.from('{"model":"m","messages":[]}'),
};

describe('http.request', () => {
  test('drops framing headers in any case, keeps the rest in order, and appends the real Content-Length', () => {
    const decoded = decodeHttpRequest(encodeHttpRequest(request));
    assert.equal(decoded.method, 'POST');
    assert.equal(decoded.url, '/v1/chat/completions');
    assert.equal(decoded.httpVersion, 'HTTP/1.1');
    assert.deepEqual(decoded.headers, [['Content-Type', 'application/json'], ['X-Tag', 'a'], ['x-tag', 'b'], ['Content-Length', String(request.payload.length)]]);
    assert.deepEqual(decoded.payload, request.payload);
  });

  test('the caller’s header list is not changed', () => {
    const headers = request.headers.map(([name, value]): [string, string] => [name, value]);
    encodeHttpRequest({ ...request, headers });
    assert.deepEqual(headers, request.headers);
  });

  test('an empty body says Content-Length 0; binary payloads survive byte for byte', () => {
    const empty = decodeHttpRequest(encodeHttpRequest({ ...request, method: 'GET', headers: [], payload: Buffer.alloc(0) }));
    assert.deepEqual(empty.headers, [['Content-Length', '0']]);
    const binary = Buffer.from(Array.from({ length: 300 }, (_, index) => index & 0xff));
    assert.deepEqual(decodeHttpRequest(encodeHttpRequest({ ...request, payload: binary })).payload, binary);
  });

  test('non-ASCII header values and URLs round trip', () => {
    const decoded = decodeHttpRequest(encodeHttpRequest({ ...request, url: '/v1/models?q=ümlaut', headers: [['X-Name', 'naïve ✓']] }));
    assert.equal(decoded.url, '/v1/models?q=ümlaut');
    assert.deepEqual(decoded.headers[0], ['X-Name', 'naïve ✓']);
  });

  test('a header value that is not UTF-8 still decodes to a string', () => {
    const raw = encodeBoxed({ _: 'http.request', method: 'GET', url: '/', http_version: 'HTTP/1.1', headers: [{ _: 'http.header', name: 'X-Bin', value: Buffer.from([0xff, 0x41]) }], payload: Buffer.alloc(0) });
    const [header] = decodeHttpRequest(raw).headers;
    assert.equal(typeof header?.[1], 'string');
    assert.equal(header?.[0], 'X-Bin');
  });

  test('a response where a request belongs (and the reverse) is refused', () => {
    const response = encodeHttpResponse({ httpVersion: 'HTTP/1.1', statusCode: 200, reason: 'OK', headers: [], payload: Buffer.alloc(0) });
    assert.throws(() => decodeHttpRequest(response), (error: Error) => (error as { code?: string }).code === 'CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR' && /expected http\.request, got http\.response/.test(error.message));
    assert.throws(() => decodeHttpResponse(encodeHttpRequest(request)), /expected http\.response, got http\.request/);
    assert.throws(() => decodeHttpRequest(Buffer.from('0102', 'hex')), { code: 'CCN_ERR_PROTOCOL_DECODE' });
  });
});

describe('http.response', () => {
  test('status, reason, headers and payload round trip as given (framing headers are the caller’s)', () => {
    const response = { httpVersion: 'HTTP/1.1', statusCode: 429, reason: 'Too Many Requests', headers: [['Retry-After', '1'], ['Content-Length', '2']] as Array<[string, string]>, payload: Buffer.from('{}') };
    assert.deepEqual(decodeHttpResponse(encodeHttpResponse(response)), response);
  });

  test('a status code outside int32 cannot be encoded', () => {
    assert.throws(() => encodeHttpResponse({ httpVersion: 'HTTP/1.1', statusCode: 2 ** 31, reason: '', headers: [], payload: Buffer.alloc(0) }), { code: 'CCN_ERR_PROTOCOL_DECODE' });
  });
});

describe('helpers', () => {
  test('withoutFramingHeaders keeps everything but content-length, transfer-encoding and connection', () => {
    assert.deepEqual(withoutFramingHeaders([['Content-Length', '1'], ['Keep-Alive', 'timeout=5'], ['transfer-encoding', 'gzip'], ['Connection', 'close'], ['Content-Type', 'text/plain']]), [['Keep-Alive', 'timeout=5'], ['Content-Type', 'text/plain']]);
  });

  test('unixSecondsHeader: seconds with exactly 6 decimals', () => {
    assert.equal(unixSecondsHeader(0), '0.000000');
    assert.equal(unixSecondsHeader(1_700_000_000_123), '1700000000.123000');
    assert.equal(unixSecondsHeader(1_700_000_000_123.456), '1700000000.123456');
    assert.equal(unixSecondsHeader(1), '0.001000');
  });
});
