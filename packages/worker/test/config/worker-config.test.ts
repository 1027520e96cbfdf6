/** Tests for the worker runner config schema: defaults, engine choice (openai / llama), model string and identity. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DEV_WORKER_OWNER_ADDRESS, loadConfig, CocoonError } from '@cocoon/protocol';
import { workerConfigSchema, DEV_WORKER_MODEL, advertisedWorkerModel, defaultLlamaThreads } from '../../src/config/index.ts';

const engine = { engine_url: 'http://127.0.0.1:8000' };

describe('workerConfigSchema', () => {
  test('defaults', () => {
    assert.deepEqual(workerConfigSchema.parse(engine), {
      http_port: 12000,
      proxy_address: '127.0.0.1:11001',
      proxy_addresses: [],
      discover_proxies: false,
      max_proxies: 3,
      owner_address: DEV_WORKER_OWNER_ADDRESS,
      model: `test/tiny-chat@dev:${'0'.repeat(64)}`,
      coefficient: 1000,
      max_active_requests: 60,
      engine: 'openai',
      engine_url: 'http://127.0.0.1:8000',
      llama_gpu: 'auto',
      is_test: true,
      proxy_policy: 'fake_tdx',
      tee: 'fake_tdx',
      attestation_dev_authority_dir: '',
      attestation_pccs_url: 'https://api.trustedservices.intel.com',
      attestation_collateral_dir: '.cocoon-worker/collateral',
      max_pow_difficulty: 28,
      proxy_connections: 1,
      http_access_hash: '',
      admin_token_file: '.cocoon/worker/admin.token',
      http_cors_origins: [],
      http_allowed_hosts: [],
      metrics_require_token: false,
      ton_endpoint: '',
      ton_api_key: '',
      root_contract_address: '',
      node_wallet_key_file: '.cocoon-worker/node-wallet.key',
      ton_poll_interval_ms: 5000,
      worker_state_dir: '.cocoon-worker',
      payout_threshold_nanoton: 10_000_000_000n,
      change_model_timeout_seconds: 50,
      payment_status_interval_ms: 10_000,
      e2e_enabled: true,
      e2e_key_rotation_seconds: 3600,
      e2e_key_grace_seconds: 600,
      e2e_replay_window_seconds: 300,
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

  test('engine llama needs model_path; llama options are typed and errors name the key', () => {
    const load = (argv: string[]) => loadConfig(workerConfigSchema, { env: {}, envPrefix: 'COCOON_WORKER_', argv });
    assert.throws(() => load(['--engine', 'llama']), (error: unknown) => error instanceof CocoonError && error.param === 'model_path' && error.message.includes('--model-path'));
    const config = load(['--engine', 'llama', '--model-path', 'm.gguf', '--llama-threads', '2', '--llama-gpu', 'false', '--llama-context-size', '512', '--llama-sequences', '3']);
    assert.equal(config.engine, 'llama');
    assert.equal(config.engine_url, undefined, 'no engine_url needed');
    assert.deepEqual([config.model_path, config.llama_threads, config.llama_gpu, config.llama_context_size, config.llama_sequences], ['m.gguf', 2, false, 512, 3]);
    assert.equal(load(['--engine', 'llama', '--model-path', 'm.gguf', '--llama-gpu', 'cuda']).llama_gpu, 'cuda');
    assert.throws(() => load(['--engine', 'llama', '--model-path', 'm.gguf', '--llama-gpu', 'metal']), (error: unknown) => error instanceof CocoonError && error.param === 'llama_gpu' && /'auto', 'cuda', 'vulkan' or false/.test(error.message));
    assert.throws(() => load(['--engine', 'llama', '--model-path', 'm.gguf', '--llama-threads', '0']), (error: unknown) => error instanceof CocoonError && error.param === 'llama_threads');
    assert.throws(() => load(['--engine', 'vllm']), (error: unknown) => error instanceof CocoonError && error.param === 'engine');
    assert.throws(() => load(['--engine', 'llama', '--model-path', 'm.gguf', '--model-identity', 'tiny@dev:abc']), (error: unknown) => error instanceof CocoonError && error.param === 'model_identity');
  });

  test('a model identity is advertised unless model is set explicitly; default threads', () => {
    const identity = `tiny-random@generated:${'b'.repeat(64)}`;
    const config = workerConfigSchema.parse({ engine: 'llama', model_path: 'm.gguf', model_identity: identity });
    assert.equal(advertisedWorkerModel(config), identity);
    const explicit = `mine@v1:${'c'.repeat(64)}`;
    assert.equal(advertisedWorkerModel({ ...config, model: explicit }), explicit);
    assert.equal(defaultLlamaThreads({ CI: 'true' }, 32), 1);
    assert.equal(defaultLlamaThreads({}, 32), 4);
    assert.equal(defaultLlamaThreads({ CI: 'false' }, 2), 2);
  });

  test('change_model_script, its timeout and machine_description_json (a JSON object) are checked and name their key', () => {
    const load = (argv: string[]) => loadConfig(workerConfigSchema, { env: {}, envPrefix: 'COCOON_WORKER_', argv });
    const config = load(['--engine-url', 'http://127.0.0.1:8000', '--change-model-script', '/opt/switch-model', '--change-model-timeout-seconds', '20', '--machine-description-json', '{"gpu":"H200"}']);
    assert.deepEqual([config.change_model_script, config.change_model_timeout_seconds, config.machine_description_json], ['/opt/switch-model', 20, '{"gpu":"H200"}']);
    for (const bad of ['[1]', 'not json', '"text"', 'null']) {
      assert.throws(() => load(['--engine-url', 'http://127.0.0.1:8000', '--machine-description-json', bad]), (error: unknown) => error instanceof CocoonError && error.param === 'machine_description_json' && /JSON object/.test(error.message), bad);
    }
    assert.throws(() => load(['--engine-url', 'http://127.0.0.1:8000', '--change-model-timeout-seconds', '0']), (error: unknown) => error instanceof CocoonError && error.param === 'change_model_timeout_seconds');
    assert.throws(() => load(['--engine', 'llama', '--model-path', 'm.gguf', '--change-model-script', '/opt/switch-model']), (error: unknown) => error instanceof CocoonError && error.param === 'change_model_script' && /engine 'openai'/.test(error.message));
  });

  test('strict: unknown keys rejected', () => {
    assert.equal(workerConfigSchema.safeParse({ ...engine, forward_requests_to: '127.0.0.1:8000' }).success, false);
  });
});
