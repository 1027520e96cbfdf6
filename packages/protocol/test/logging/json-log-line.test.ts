/**
 * The JSON log format: one parseable object per line with time, level, role, msg and fields;
 * secrets redacted at every depth exactly as in the text format; bigint, bytes, errors and dates
 * as plain JSON; a message with a newline stays on one line; the format names parse strictly.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { REDACTED, createLogger, formatJsonLogLine, logSettingsFromEnv, parseLogFormat } from '../../src/logging/index.ts';

const fixedNow = () => new Date('2025-01-02T03:04:05.678Z');
const SECRET = 'hunter2-secret-value';

function capture(level: 'debug' | 'info' = 'info') {
  const lines: string[] = [];
  const logger = createLogger('proxy', { format: 'json', level, now: fixedNow, write: (line) => lines.push(line) });
  return { lines, logger, parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('JSON log lines', () => {
  test('one object per call: time, level, role, msg, fields', () => {
    const { lines, logger, parsed } = capture();
    logger.info('worker connected', { model: 'tiny', port: 11001, ok: true });
    logger.child('attestation').warn('no fields');
    assert.equal(lines.length, 2);
    assert.deepEqual(parsed(), [
      { time: '2025-01-02T03:04:05.678Z', level: 'info', role: 'proxy', msg: 'worker connected', fields: { model: 'tiny', port: 11001, ok: true } },
      { time: '2025-01-02T03:04:05.678Z', level: 'warn', role: 'proxy/attestation', msg: 'no fields' },
    ]);
  });

  test('secret-looking keys are redacted at any depth; the secret never appears in the line', () => {
    const { lines, logger, parsed } = capture();
    logger.info('config', {
      http_access_hash: SECRET, adminToken: SECRET, secret_string: SECRET, max_tokens: 16,
      nested: { wallet: { private_key: SECRET, address: 'EQ' }, list: [{ authorization: `Bearer ${SECRET}` }] },
    });
    assert.ok(!lines[0]!.includes(SECRET), lines[0]);
    const fields = parsed()[0]!.fields as Record<string, unknown>;
    assert.equal(fields.http_access_hash, REDACTED);
    assert.equal(fields.adminToken, REDACTED);
    assert.equal(fields.secret_string, REDACTED);
    assert.equal(fields.max_tokens, 16, 'max_tokens is not a secret');
    assert.deepEqual(fields.nested, { wallet: { private_key: REDACTED, address: 'EQ' }, list: [{ authorization: REDACTED }] });
  });

  test('bigint, bytes, errors, dates and undefined become plain JSON; a newline in a message stays on one line', () => {
    const line = formatJsonLogLine(fixedNow(), 'error', 'worker', 'two\nlines', {
      exact: 12n, huge: 2n ** 70n, bytes: Buffer.from([0xde, 0xad]), error: new Error('boom'), at: new Date(0), skipped: undefined, nan: Number.NaN,
    });
    assert.equal(line.split('\n').length, 1);
    const parsed = JSON.parse(line) as { msg: string; fields: Record<string, unknown> };
    assert.equal(parsed.msg, 'two\nlines');
    assert.deepEqual(parsed.fields, { exact: 12, huge: '1180591620717411303424', bytes: 'dead', error: 'boom', at: '1970-01-01T00:00:00.000Z', nan: 'NaN' });
  });

  test('levels still filter', () => {
    const { lines, logger } = capture();
    logger.debug('hidden');
    assert.equal(lines.length, 0);
  });

  test('format names: text and json (any case), nothing else; the environment picks level and format', () => {
    assert.equal(parseLogFormat('JSON'), 'json');
    assert.equal(parseLogFormat(' text '), 'text');
    assert.equal(parseLogFormat('xml'), undefined);
    assert.equal(parseLogFormat(undefined), undefined);
    assert.deepEqual(logSettingsFromEnv({}), { level: 'info', format: 'text' });
    assert.deepEqual(logSettingsFromEnv({ COCOON_LOG_LEVEL: 'debug', COCOON_LOG_FORMAT: 'json' }), { level: 'debug', format: 'json' });
  });

  test('the text format stays the default', () => {
    const lines: string[] = [];
    createLogger('proxy', { now: fixedNow, write: (line) => lines.push(line) }).info('hello', { a: 1 });
    assert.deepEqual(lines, ['2025-01-02T03:04:05.678Z info proxy hello a=1']);
  });
});
