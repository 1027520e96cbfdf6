/** Tests for the line logger: format, levels, redaction of secret-looking fields. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, isSecretLogKey, parseLogLevel, redactSecrets } from '../../src/logging/index.ts';

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
