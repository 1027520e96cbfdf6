/** Tests for the line logger: format, levels, redaction of secret-looking fields. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, formatLogLine, formatLogValue, isSecretLogKey, parseLogLevel, redactSecrets } from '../../src/logging/index.ts';

const fixedNow = () => new Date('2025-01-02T03:04:05.678Z');

const capture = (level?: 'debug' | 'info' | 'warn' | 'error') => {
  const lines: string[] = [];
  const logger = createLogger('proxy', { level, now: fixedNow, write: (line) => lines.push(line) });
  return { lines, logger };
};

describe('createLogger', () => {
  test('writes one human-readable line per call', () => {
    const { lines, logger } = capture();
    logger.info('worker connected', { model: 'tiny', port: 11001, ok: true, tokens: 12n, note: 'two words' });
    assert.deepEqual(lines, ['2025-01-02T03:04:05.678Z info proxy worker connected model=tiny port=11001 ok=true tokens=12 note="two words"']);
  });

  test('filters by level (default info)', () => {
    const { lines, logger } = capture();
    logger.debug('hidden');
    logger.warn('shown');
    logger.error('also shown', { error: new Error('boom') });
    assert.equal(lines.length, 2);
    assert.match(lines[0] ?? '', / warn proxy shown$/);
    assert.match(lines[1] ?? '', / error proxy also shown error=boom$/);
    const debug = capture('debug');
    debug.logger.debug('visible');
    assert.equal(debug.lines.length, 1);
  });

  test('redacts secret-looking fields, also nested', () => {
    const { lines, logger } = capture();
    logger.info('config', {
      secret_string: 'hunter2',
      node_wallet_key: 'k1',
      privateKey: 'k2',
      password: 'p',
      hf_token: 't',
      Authorization: 'Bearer x',
      http_access_hash: 'h',
      nested: { api_key: 'k3', port: 1 },
      max_tokens: 1000,
    });
    const line = lines[0] ?? '';
    for (const secret of ['hunter2', 'k1', 'k2', '=p ', '=t ', 'Bearer', 'k3', '=h ']) assert.ok(!line.includes(secret), `${secret} leaked: ${line}`);
    assert.ok(line.includes('secret_string=[redacted]'));
    assert.ok(line.includes('nested={"api_key":"[redacted]","port":1}'));
    assert.ok(line.includes('max_tokens=1000'));
  });

  test('child loggers extend the role', () => {
    const { lines, logger } = capture();
    logger.child('worker-conn').info('hello');
    assert.match(lines[0] ?? '', / info proxy\/worker-conn hello$/);
  });
});

describe('secret key detection', () => {
  test('secret-looking and innocent keys', () => {
    for (const key of ['secret', 'client_secret', 'apiKey', 'x-api-key', 'private', 'password', 'token', 'access_token', 'authorization', 'http_access_hash']) {
      assert.ok(isSecretLogKey(key), key);
    }
    for (const key of ['max_tokens', 'tokens_used', 'model', 'port', 'keys', 'request_id']) assert.ok(!isSecretLogKey(key), key);
  });

  test('redactSecrets leaves the input untouched', () => {
    const input = { token: 'abc', list: [{ secret: 1 }] };
    assert.deepEqual(redactSecrets(input), { token: '[redacted]', list: [{ secret: '[redacted]' }] });
    assert.equal(input.token, 'abc');
  });

  test('parseLogLevel', () => {
    assert.equal(parseLogLevel('DEBUG'), 'debug');
    assert.equal(parseLogLevel('verbose'), 'info');
    assert.equal(parseLogLevel(undefined, 'warn'), 'warn');
  });
});

describe('formatLogValue and formatLogLine', () => {
  test('values: bare when simple, JSON-quoted when they hold spaces, quotes or =', () => {
    const cases: Array<[unknown, string]> = [
      ['tiny', 'tiny'],
      ['', '""'],
      ['a=b', '"a=b"'],
      ["it's", '"it\'s"'],
      ['say "hi"', '"say \\"hi\\""'],
      ['line\nbreak', '"line\\nbreak"'],
      [42, '42'],
      [12n, '12'],
      [null, 'null'],
      [undefined, 'undefined'],
      [new Date('2025-01-02T03:04:05.678Z'), '2025-01-02T03:04:05.678Z'],
      [new Error('disk full'), '"disk full"'],
      [new Error('eof'), 'eof'],
      [[1, 'two'], '[1,"two"]'],
      [{ total: 10n ** 20n, auth: { password: 'p' } }, '{"total":"100000000000000000000","auth":{"password":"[redacted]"}}'],
    ];
    for (const [value, text] of cases) assert.equal(formatLogValue(value), text, String(value));
  });

  test('a line: ISO time, level, role, message, then fields in order; undefined fields are left out', () => {
    const line = formatLogLine(fixedNow(), 'warn', 'worker', 'engine slow', { model: 'm', skipped: undefined, ms: 1500, api_key: 'sk-live' });
    assert.equal(line, '2025-01-02T03:04:05.678Z warn worker engine slow model=m ms=1500 api_key=[redacted]');
  });

  test('a secret key is redacted whatever its value type', () => {
    for (const value of [12345, { nested: 1 }, ['x'], new Error('token in message')]) {
      assert.equal(formatLogLine(fixedNow(), 'info', 'r', 'm', { admin_token: value }), '2025-01-02T03:04:05.678Z info r m admin_token=[redacted]');
    }
  });

  test('grandchildren keep the level, clock and sink of the root logger', () => {
    const { lines, logger } = capture('warn');
    const grandchild = logger.child('session').child('rpc');
    assert.equal(grandchild.role, 'proxy/session/rpc');
    grandchild.info('not shown');
    grandchild.error('shown');
    assert.deepEqual(lines, ['2025-01-02T03:04:05.678Z error proxy/session/rpc shown']);
  });

  test('parseLogLevel takes every level name in any case', () => {
    for (const level of ['debug', 'info', 'warn', 'error'] as const) {
      assert.equal(parseLogLevel(level.toUpperCase(), 'error'), level);
    }
    assert.equal(parseLogLevel('', 'debug'), 'debug');
    assert.equal(parseLogLevel('warning'), 'info');
  });
});
