/**
 * Field metadata the loader consults: secrets (never echoed) and security-sensitive fields
 * (ordered values or narrow-only lists). The metadata must be found through the wrappers zod
 * puts around a field (default, optional, pipe/transform), or a weakening would slip through.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import {
  getConfigFieldMeta,
  httpAccessHashField,
  isSecretConfigKey,
  peerPolicyField,
  PEER_POLICY_ORDER,
  secretField,
  securitySensitive,
  securitySensitiveList,
  tonConfigFields,
} from '../../src/config/index.ts';

describe('getConfigFieldMeta', () => {
  test('a plain field has no metadata', () => {
    assert.deepEqual(getConfigFieldMeta(z.string().default('x')), {});
  });

  test('metadata on the inner schema is found through default, optional, nullable and pipe', () => {
    const order = ['low', 'high'] as const;
    const inner = securitySensitive(z.enum(order), order);
    for (const wrapped of [inner.default('high'), inner.optional(), inner.nullable().default(null), inner.pipe(z.enum(order)), inner.transform((value) => value.length)]) {
      assert.deepEqual(getConfigFieldMeta(wrapped).securityOrder, order);
    }
  });

  test('metadata on the wrapper itself is found too, and markers combine', () => {
    const field = secretField(securitySensitiveList(z.array(z.string())).default([]));
    assert.deepEqual(getConfigFieldMeta(field), { secret: true, securitySubset: true });
  });

  test('the outermost order wins when both layers carry one', () => {
    const inner = securitySensitive(z.enum(['a', 'b', 'c']), ['a', 'b', 'c']);
    const outer = securitySensitive(inner.default('b'), ['c', 'b', 'a']);
    assert.deepEqual(getConfigFieldMeta(outer).securityOrder, ['c', 'b', 'a']);
  });

  test('marking returns the same schema, so it still parses as before', () => {
    const schema = z.number().int();
    assert.equal(secretField(schema), schema);
    assert.equal(schema.parse(3), 3);
  });

  test('the shared fields carry their markers', () => {
    assert.deepEqual(getConfigFieldMeta(peerPolicyField('tdx')).securityOrder, PEER_POLICY_ORDER);
    assert.equal(getConfigFieldMeta(httpAccessHashField()).secret, true);
    assert.equal(getConfigFieldMeta(tonConfigFields({ walletKeyFile: 'k' }).ton_api_key).secret, true);
    assert.equal(getConfigFieldMeta(tonConfigFields({ walletKeyFile: 'k' }).ton_endpoint).secret, undefined);
  });
});

describe('isSecretConfigKey', () => {
  test('by name: secret, key or private anywhere, in any case', () => {
    for (const key of ['secret_string', 'ton_api_key', 'node_wallet_key_file', 'proxy_private', 'SECRET', 'keyring']) assert.equal(isSecretConfigKey(key), true, key);
    for (const key of ['http_port', 'model', 'ton_endpoint', 'http_access_hash']) assert.equal(isSecretConfigKey(key), false, key);
  });

  test('by metadata when the name does not say it', () => {
    assert.equal(isSecretConfigKey('http_access_hash', httpAccessHashField()), true);
    assert.equal(isSecretConfigKey('http_port', z.number()), false);
  });
});
