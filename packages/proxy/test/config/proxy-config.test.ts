/** Tests for the proxy runner config schema: defaults, dev clients, pricing, strictness. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { DEV_CLIENT_OWNER_ADDRESS, DEV_PROXY_OWNER_ADDRESS, EMPTY_SECRET_SHA256, getConfigFieldMeta, loadConfig } from '@cocoon/protocol';
import { proxyConfigSchema } from '../../src/config/index.ts';

describe('proxyConfigSchema', () => {
  test('defaults', () => {
    const config = proxyConfigSchema.parse({});
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.client_port, 11002);
    assert.equal(config.worker_port, 11001);
    assert.equal(config.http_port, 11000);
    assert.equal(config.is_test, true);
    assert.equal(config.owner_address, DEV_PROXY_OWNER_ADDRESS);
    assert.equal(config.worker_policy, 'fake_tdx');
    assert.equal(config.client_policy, 'any');
    assert.equal(config.pow_difficulty, 20);
    assert.equal(config.price_per_token, 20n);
    assert.equal(config.worker_fee_per_token, 19n);
    assert.equal(config.max_attempts, 3);
    assert.equal(config.http_access_hash, '');
  });

  test('the default dev client is the dev client owner with the empty secret', () => {
    const [devClient, ...rest] = proxyConfigSchema.parse({}).dev_clients;
    assert.equal(rest.length, 0);
    assert.equal(devClient?.owner_address, DEV_CLIENT_OWNER_ADDRESS);
    assert.equal(devClient?.secret_hash, createHash('sha256').update('').digest('hex'));
    assert.equal(devClient?.secret_hash, EMPTY_SECRET_SHA256);
    assert.equal(devClient?.balance_nanoton, 100_000_000_000n);
    assert.equal(devClient?.stake_nanoton, 15_000_000_000n);
  });

  test('default dev clients are fresh copies per parse', () => {
    const first = proxyConfigSchema.parse({});
    first.dev_clients[0]!.balance_nanoton = 1n;
    assert.equal(proxyConfigSchema.parse({}).dev_clients[0]?.balance_nanoton, 100_000_000_000n);
  });

  test('prices accept strings or integers and become bigint', () => {
    const config = proxyConfigSchema.parse({ price_per_token: '30', worker_fee_per_token: 25 });
    assert.equal(config.price_per_token, 30n);
    assert.equal(config.worker_fee_per_token, 25n);
    assert.equal(proxyConfigSchema.safeParse({ price_per_token: 1.5 }).success, false);
    assert.equal(proxyConfigSchema.safeParse({ price_per_token: 10, worker_fee_per_token: 11 }).success, false);
  });

  test('multipliers are not proxy config: they come from the root contract (§5)', () => {
    for (const key of ['prompt_tokens_price_multiplier', 'cached_tokens_price_multiplier', 'completion_tokens_price_multiplier', 'reasoning_tokens_price_multiplier']) {
      assert.equal(proxyConfigSchema.safeParse({ [key]: 10000 }).success, false, `${key} is an unknown key`);
    }
  });

  test('dev clients via JSON flag, strict entries, hash normalised', () => {
    const client = { owner_address: DEV_CLIENT_OWNER_ADDRESS, secret_hash: 'AB'.repeat(32), balance_nanoton: '5', stake_nanoton: 1 };
    const config = loadConfig(proxyConfigSchema, { env: {}, envPrefix: 'COCOON_PROXY_', argv: ['--dev-clients', JSON.stringify([client])] });
    assert.deepEqual(config.dev_clients, [{ ...client, secret_hash: 'ab'.repeat(32), balance_nanoton: 5n, stake_nanoton: 1n }]);
    assert.equal(proxyConfigSchema.safeParse({ dev_clients: [{ ...client, extra: 1 }] }).success, false);
    assert.equal(proxyConfigSchema.safeParse({ dev_clients: [{ ...client, secret_hash: 'abc' }] }).success, false);
  });

  test('pow difficulty range and unknown keys', () => {
    assert.equal(proxyConfigSchema.safeParse({ pow_difficulty: 29 }).success, false);
    assert.equal(proxyConfigSchema.safeParse({ pow_difficulty: 0 }).success, true);
    assert.equal(proxyConfigSchema.safeParse({ workers_rpc_port: 11101 }).success, false);
    assert.equal(proxyConfigSchema.parse({ client_port: 0, worker_port: 0, http_port: 0 }).http_port, 0, 'port 0 = pick a free port');
    assert.equal(proxyConfigSchema.safeParse({ http_port: 65536 }).success, false);
  });

  test('worker and client policies are security-sensitive', () => {
    const shape = proxyConfigSchema.shape;
    assert.ok(getConfigFieldMeta(shape.worker_policy).securityOrder);
    assert.ok(getConfigFieldMeta(shape.client_policy).securityOrder);
  });
});
