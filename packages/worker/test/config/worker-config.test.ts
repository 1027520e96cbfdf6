/** Tests for the worker runner config schema: defaults, required engine_url, model string. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DEV_WORKER_OWNER_ADDRESS, loadConfig, CocoonError } from '@cocoon/protocol';
import { workerConfigSchema, DEV_WORKER_MODEL } from '../../src/config/index.ts';

const engine = { engine_url: 'http://127.0.0.1:8000' };

describe('workerConfigSchema', () => {
  test('defaults', () => {
    assert.deepEqual(workerConfigSchema.parse(engine), {
      http_port: 12000,
      proxy_address: '127.0.0.1:11001',
      owner_address: DEV_WORKER_OWNER_ADDRESS,
      model: `test/tiny-chat@dev:${'0'.repeat(64)}`,
      coefficient: 1000,
      max_active_requests: 60,
      engine_url: 'http://127.0.0.1:8000',
      is_test: true,
      proxy_policy: 'fake_tdx',
      max_pow_difficulty: 28,
      proxy_connections: 1,
      http_access_hash: '',
      ton_endpoint: '',
      ton_api_key: '',
      root_contract_address: '',
      node_wallet_key_file: '.cocoon-worker/node-wallet.key',
      ton_poll_interval_ms: 5000,
      worker_state_dir: '.cocoon-worker',
      payout_threshold_nanoton: 10_000_000_000n,
      payment_status_interval_ms: 10_000,
    });
    assert.equal(DEV_WORKER_MODEL, `test/tiny-chat@dev:${'0'.repeat(64)}`);
  });

  test('engine_url is required and must be http(s)', () => {
    assert.equal(workerConfigSchema.safeParse({}).success, false);
    assert.equal(workerConfigSchema.safeParse({ engine_url: 'ftp://x' }).success, false);
    assert.throws(
      () => loadConfig(workerConfigSchema, { env: {}, envPrefix: 'COCOON_WORKER_', argv: [] }),
      (error: unknown) => error instanceof CocoonError && error.param === 'engine_url' && error.message.includes('--engine-url'),
    );
  });

  test('model string and coefficient bounds', () => {
    assert.equal(workerConfigSchema.safeParse({ ...engine, model: 'Qwen/Qwen3-8B' }).success, false);
    assert.equal(workerConfigSchema.safeParse({ ...engine, model: `Qwen/Qwen3-8B@main:${'a'.repeat(64)}` }).success, true);
    assert.equal(workerConfigSchema.safeParse({ ...engine, coefficient: 0 }).success, true);
    assert.equal(workerConfigSchema.safeParse({ ...engine, coefficient: 1_000_000_000 }).success, false);
    assert.equal(workerConfigSchema.safeParse({ ...engine, coefficient: 1.5 }).success, false);
  });

  test('strict: unknown keys rejected', () => {
    assert.equal(workerConfigSchema.safeParse({ ...engine, forward_requests_to: '127.0.0.1:8000' }).success, false);
  });
});
