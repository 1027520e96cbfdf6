/**
 * Which log field keys count as secret (by word, camelCase and kebab-case included), and the
 * recursive redaction of objects and arrays that keeps non-plain values (errors, dates, buffers)
 * as they are and stops at a bounded depth.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isSecretLogKey, REDACTED, redactSecrets } from '../../src/logging/index.ts';

describe('isSecretLogKey', () => {
  const secret = [
    'secretString', 'walletPrivateKey', 'PASSWORD', 'db_passwd', 'proxy-authorization', 'Cookie', 'set_cookie', 'mnemonic_words',
    'adminToken', 'admin-token', 'hfToken', 'refresh_token', 'sessionKey', 'x-api-key', 'APIKEY', 'accessHash', 'http-access-hash', 'ACCESS_HASH',
    'key', 'private_key', 'publicKeyToken', 'machine_key', 'key_manager_private_key',
  ];
  const innocent = ['maxTokens', 'max_tokens', 'total_tokens_used', 'tokens', 'keys', 'keyed_by', 'hash', 'model_hash', 'request_guid', 'tokenizer', 'monkeys',
    'public_key', 'sender_public_key', 'publicKey', 'key_manager_image_hash', 'keyManagerAddress'];

  test('secret-looking keys', () => {
    for (const key of secret) assert.equal(isSecretLogKey(key), true, key);
  });

  test('keys that only look similar stay visible', () => {
    for (const key of innocent) assert.equal(isSecretLogKey(key), false, key);
  });
});

describe('redactSecrets', () => {
  test('scalars and null pass through', () => {
    for (const value of [null, undefined, 0, 'text', true, 5n]) assert.equal(redactSecrets(value), value);
  });

  test('redacts at every level of objects inside arrays inside objects', () => {
    const input = { peers: [{ address: 'a', session: { authorization: 'Bearer x', seqno: 1 } }, 'plain'], password: { nested: 'all of it' } };
    assert.deepEqual(redactSecrets(input), { peers: [{ address: 'a', session: { authorization: REDACTED, seqno: 1 } }, 'plain'], password: REDACTED });
  });

  test('errors, dates and byte views are returned as they are', () => {
    const error = new Error('boom');
    const date = new Date(0);
    const bytes = Buffer.from('secret bytes');
    const redacted = redactSecrets({ error, date, bytes, view: new Uint8Array(2) }) as Record<string, unknown>;
    assert.equal(redacted.error, error);
    assert.equal(redacted.date, date);
    assert.equal(redacted.bytes, bytes);
    assert.ok(redacted.view instanceof Uint8Array);
  });

  test('deeper than 8 levels the rest is left as is (no unbounded recursion)', () => {
    let deep: Record<string, unknown> = { token: 'deepest' };
    for (let level = 0; level < 12; level += 1) deep = { inner: deep };
    let cursor = redactSecrets(deep) as Record<string, unknown>;
    for (let level = 0; level < 12; level += 1) cursor = cursor.inner as Record<string, unknown>;
    assert.equal(cursor.token, 'deepest', 'beyond the bound nothing is copied or changed');
    const shallow = redactSecrets({ a: { b: { token: 'near' } } }) as { a: { b: { token: string } } };
    assert.equal(shallow.a.b.token, REDACTED);
  });

  test('returns copies: the caller’s objects keep their secrets', () => {
    const input = { nested: { api_key: 'k' } };
    const output = redactSecrets(input) as typeof input;
    assert.notEqual(output.nested, input.nested);
    assert.equal(input.nested.api_key, 'k');
  });
});
