/** Tests for the client runner config schema: defaults, strictness, secrets, policy order. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { isSecretConfigKey, getConfigFieldMeta, loadConfig, DEV_CLIENT_OWNER_ADDRESS } from '@cocoon/protocol';
import { clientConfigSchema } from '../../src/config/index.ts';

describe('clientConfigSchema', () => {
  test('defaults', () => {
    const config = clientConfigSchema.parse({});
    assert.deepEqual(config, {
      http_host: '127.0.0.1',
      http_port: 10000,
      proxy_address: '127.0.0.1:11002',
      proxy_addresses: [],
      discover_proxies: false,
      max_proxies: 3,
      proxy_connections: 1,
      owner_address: DEV_CLIENT_OWNER_ADDRESS,
      secret_string: '',
      is_test: true,
      proxy_policy: 'fake_tdx',
      attestation_dev_authority_dir: '',
      attestation_pccs_url: 'https://api.trustedservices.intel.com',
      attestation_collateral_dir: '.cocoon/client/collateral',
      max_pow_difficulty: 28,
      default_max_coefficient: 4000,
      default_max_tokens: 1000,
      default_timeout_seconds: 120,
      max_body_bytes: 8 * 1024 * 1024,
      shutdown_drain_ms: 10_000,
      http_access_hash: '',
      admin_token_file: '.cocoon/client/admin.token',
      http_cors_origins: [],
      http_allowed_hosts: [],
      metrics_require_token: false,
      ton_endpoint: '',
      ton_api_key: '',
      root_contract_address: '',
      node_wallet_key_file: '.cocoon/client/wallet.key',
      ton_poll_interval_ms: 5000,
      ton_automation_interval_ms: 2000,
      root_refresh_interval_ms: 45000,
      encryption_public_keys: [],
      require_e2e: false,
      e2e_fallback: 'refuse',
      e2e_max_recipients: 3,
      e2e_workers_cache_ms: 1000,
      receipts_dir: '.cocoon/client/receipts',
      app_dir: '',
      telegram_bot_token_file: '',
      telegram_init_data_max_age_seconds: 86_400,
      telegram_user_requests_per_minute: 30,
    });
  });

  test("app_dir: '' (no page) by default, a path from the file, env or --app-dir; not a string or a misspelling is refused", () => {
    assert.equal(clientConfigSchema.parse({ app_dir: '/srv/light-client' }).app_dir, '/srv/light-client');
    const loaded = (argv: string[], env: Record<string, string> = {}) => loadConfig(clientConfigSchema, { env, envPrefix: 'COCOON_CLIENT_', argv });
    assert.equal(loaded(['--app-dir', '.cocoon/dev/app']).app_dir, '.cocoon/dev/app');
    assert.equal(loaded([], { COCOON_CLIENT_APP_DIR: '/tmp/app' }).app_dir, '/tmp/app');
    assert.equal(loaded([]).app_dir, '');
    assert.equal(clientConfigSchema.safeParse({ app_dir: 3 }).success, false);
    assert.equal(clientConfigSchema.safeParse({ app_dir: ['/a'] }).success, false);
    assert.throws(() => loaded(['--app-directory', '/a']), /unknown key 'app_directory'/);
  });

  test('rejects unknown keys and bad values', () => {
    assert.equal(clientConfigSchema.safeParse({ http_prot: 1 }).success, false);
    assert.equal(clientConfigSchema.safeParse({ proxy_address: '127.0.0.1' }).success, false);
    assert.equal(clientConfigSchema.safeParse({ proxy_address: 'localhost:70000' }).success, false);
    assert.equal(clientConfigSchema.safeParse({ proxy_address: 'localhost:0' }).success, false);
    assert.equal(clientConfigSchema.safeParse({ proxy_policy: 'sgx' }).success, false);
    assert.equal(clientConfigSchema.safeParse({ proxy_policy: 'tdx' }).success, true);
    assert.equal(clientConfigSchema.safeParse({ attestation_pccs_url: 'not a url' }).success, false);
    assert.equal(clientConfigSchema.safeParse({ owner_address: 'not-an-address' }).success, false);
    assert.equal(clientConfigSchema.safeParse({ proxy_address: '[::1]:11002', proxy_policy: 'any' }).success, true);
  });

  test('secrets and security-sensitive fields are marked', () => {
    const shape = clientConfigSchema.shape;
    assert.ok(isSecretConfigKey('secret_string', shape.secret_string));
    assert.ok(isSecretConfigKey('http_access_hash', shape.http_access_hash));
    assert.ok(!isSecretConfigKey('http_port', shape.http_port));
    assert.deepEqual(getConfigFieldMeta(shape.proxy_policy).securityOrder, ['any', 'fake_tdx', 'tdx']);
  });

  test('loads through the loader with env prefix COCOON_CLIENT_', () => {
    const config = loadConfig(clientConfigSchema, {
      env: { COCOON_CLIENT_HTTP_PORT: '10010' },
      envPrefix: 'COCOON_CLIENT_',
      argv: ['--proxy-address', '127.0.0.1:11012', '--proxy-policy', 'any'],
    });
    assert.equal(config.http_port, 10010);
    assert.equal(config.proxy_address, '127.0.0.1:11012');
    assert.equal(config.proxy_policy, 'any');
  });
});
