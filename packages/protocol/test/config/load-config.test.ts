/** Tests for the strict layered config loader (defaults ← file ← env ← flags). */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { CocoonError } from '../../src/errors/error-table.ts';
import {
  configSchemaShape,
  loadConfig,
  nanotonSchema,
  peerPolicyField,
  portSchema,
  secretField,
  securitySensitive,
  type ConfigSources,
} from '../../src/config/index.ts';

const directory = mkdtempSync(join(tmpdir(), 'cocoon-config-test-'));
after(() => rmSync(directory, { recursive: true, force: true }));

const writeJson = (name: string, value: unknown): string => {
  const path = join(directory, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
};

const schema = z
  .object({
    http_port: portSchema.default(11000),
    host: z.string().default('127.0.0.1'),
    is_test: z.boolean().default(false),
    worker_policy: peerPolicyField('fake_tdx'),
    level: securitySensitive(z.enum(['low', 'mid', 'high']).default('mid'), ['low', 'mid', 'high']),
    price_per_token: nanotonSchema.default(20n),
    tags: z.array(z.string()).default([]),
    secret_string: z.string().default(''),
    access_code: secretField(z.string().regex(/^[a-z]+$/, 'must be lowercase letters').default('abc')),
    api_key: z.string().min(8).default('xxxxxxxx'),
  })
  .strict();

const sources = (overrides: Partial<ConfigSources> = {}): ConfigSources => ({ env: {}, envPrefix: 'COCOON_PROXY_', argv: [], ...overrides });

/** Asserts a CCN_ERR_CONFIG_INVALID error whose message contains every fragment. */
const assertConfigError = (run: () => unknown, param: string, ...fragments: string[]): CocoonError => {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof CocoonError, `expected a CocoonError, got ${String(caught)}`);
  assert.equal(caught.code, 'CCN_ERR_CONFIG_INVALID');
  assert.equal(caught.param, param);
  assert.match(caught.message, /^config error: /);
  for (const fragment of fragments) assert.ok(caught.message.includes(fragment), `'${caught.message}' lacks '${fragment}'`);
  return caught;
};

describe('loadConfig layering', () => {
  test('defaults apply when no source sets a key', () => {
    const config = loadConfig(schema, sources());
    assert.equal(config.http_port, 11000);
    assert.equal(config.worker_policy, 'fake_tdx');
    assert.equal(config.price_per_token, 20n);
    assert.deepEqual(config.tags, []);
  });

  test('file < env < flags, each overriding the previous', () => {
    const file = writeJson('layers.json', { http_port: 1, host: 'file-host', is_test: true, tags: ['a'] });
    const env = { COCOON_PROXY_HTTP_PORT: '2', COCOON_PROXY_HOST: 'env-host', OTHER_VAR: 'ignored' };
    const config = loadConfig(schema, sources({ file, env, argv: ['--http-port', '3'] }));
    assert.equal(config.http_port, 3);
    assert.equal(config.host, 'env-host');
    assert.equal(config.is_test, true);
    assert.deepEqual(config.tags, ['a']);
  });

  test('env and flag values are coerced by the schema type', () => {
    const env = { COCOON_PROXY_IS_TEST: 'true', COCOON_PROXY_TAGS: '["x","y"]', COCOON_PROXY_PRICE_PER_TOKEN: '123456789012345678901' };
    const config = loadConfig(schema, sources({ env, argv: ['--http-port=4000', '--host', '10.0.0.1'] }));
    assert.equal(config.is_test, true);
    assert.deepEqual(config.tags, ['x', 'y']);
    assert.equal(config.price_per_token, 123456789012345678901n);
    assert.equal(config.http_port, 4000);
    assert.equal(config.host, '10.0.0.1');
  });

  test('boolean flags: bare, explicit value and --no- form', () => {
    assert.equal(loadConfig(schema, sources({ argv: ['--is-test'] })).is_test, true);
    assert.equal(loadConfig(schema, sources({ argv: ['--is-test', '--http-port', '5'] })).is_test, true);
    assert.equal(loadConfig(schema, sources({ argv: ['--is-test', 'false'] })).is_test, false);
    const file = writeJson('bool.json', { is_test: true });
    assert.equal(loadConfig(schema, sources({ file, argv: ['--no-is-test'] })).is_test, false);
  });
});

describe('loadConfig unknown keys', () => {
  test('in the file, naming key and file', () => {
    const file = writeJson('proxy.json', { htp_port: 1 });
    assertConfigError(() => loadConfig(schema, sources({ file })), 'htp_port', `unknown key 'htp_port' in file ${file}`);
  });

  test('in env, naming key and variable', () => {
    const env = { COCOON_PROXY_HTP_PORT: '1' };
    assertConfigError(() => loadConfig(schema, sources({ env })), 'htp_port', "unknown key 'htp_port'", 'env COCOON_PROXY_HTP_PORT');
  });

  test('in flags, naming key and flag', () => {
    assertConfigError(() => loadConfig(schema, sources({ argv: ['--htp-port', '1'] })), 'htp_port', "unknown key 'htp_port'", '--htp-port');
  });

  test('positional arguments are rejected', () => {
    assertConfigError(() => loadConfig(schema, sources({ argv: ['11000'] })), 'argv', "unexpected argument '11000'");
  });
});

describe('loadConfig value errors', () => {
  test('flag that is not a number', () => {
    const error = assertConfigError(() => loadConfig(schema, sources({ argv: ['--http-port', 'abc'] })), 'http_port');
    assert.equal(error.message, 'config error: --http-port: expected a number');
  });

  test('env that is not a boolean', () => {
    const env = { COCOON_PROXY_IS_TEST: 'maybe' };
    assertConfigError(() => loadConfig(schema, sources({ env })), 'is_test', 'env COCOON_PROXY_IS_TEST: expected a boolean');
  });

  test('flag missing its value', () => {
    assertConfigError(() => loadConfig(schema, sources({ argv: ['--host'] })), 'host', '--host: missing value');
  });

  test('file value of the wrong type names key and file', () => {
    const file = writeJson('wrong-type.json', { http_port: '11000' });
    assertConfigError(() => loadConfig(schema, sources({ file })), 'http_port', `http_port in file ${file}`, 'expected number');
  });

  test('out-of-range value from a flag', () => {
    assertConfigError(() => loadConfig(schema, sources({ argv: ['--http-port', '70000'] })), 'http_port', '--http-port');
  });

  test('invalid value in the file is reported even when env overrides it', () => {
    const file = writeJson('overridden.json', { http_port: -1 });
    const env = { COCOON_PROXY_HTTP_PORT: '5' };
    assertConfigError(() => loadConfig(schema, sources({ file, env })), 'http_port', `http_port in file ${file}`);
  });

  test('unreadable and malformed files', () => {
    assertConfigError(() => loadConfig(schema, sources({ file: join(directory, 'missing.json') })), 'file', 'missing.json', 'ENOENT');
    assertConfigError(() => loadConfig(schema, sources({ file: writeJson('bad.json', '{nope') })), 'file', 'not valid JSON');
    assertConfigError(() => loadConfig(schema, sources({ file: writeJson('array.json', '[1]') })), 'file', 'JSON object');
  });

  test('missing required key names every way to set it', () => {
    const required = z.object({ engine_url: z.string() }).strict();
    assertConfigError(() => loadConfig(required, sources()), 'engine_url', "missing required key 'engine_url'", 'COCOON_PROXY_ENGINE_URL', '--engine-url');
  });
});

describe('loadConfig security-sensitive keys', () => {
  test('env and flags may not lower a value set in the file', () => {
    const file = writeJson('strict.json', { worker_policy: 'fake_tdx', level: 'high' });
    assertConfigError(
      () => loadConfig(schema, sources({ file, argv: ['--worker-policy', 'any'] })),
      'worker_policy',
      '--worker-policy',
      "security-sensitive key 'worker_policy'",
      "'fake_tdx'",
    );
    assertConfigError(() => loadConfig(schema, sources({ file, env: { COCOON_PROXY_LEVEL: 'mid' } })), 'level', 'env COCOON_PROXY_LEVEL');
  });

  test('raising or keeping the file value is allowed, and unset file keys can be set freely', () => {
    const file = writeJson('raise.json', { level: 'mid' });
    assert.equal(loadConfig(schema, sources({ file, argv: ['--level', 'high'] })).level, 'high');
    assert.equal(loadConfig(schema, sources({ file, argv: ['--level', 'mid'] })).level, 'mid');
    assert.equal(loadConfig(schema, sources({ argv: ['--worker-policy', 'any'] })).worker_policy, 'any');
  });
});

describe('loadConfig secrets', () => {
  const secretValue = 'hunter2-SUPER-secret';

  test('secret values never appear in errors', () => {
    const messages: string[] = [];
    const attempts: Array<() => unknown> = [
      () => loadConfig(schema, sources({ argv: ['--api-key', secretValue.slice(0, 5)] })),
      () => loadConfig(schema, sources({ argv: ['--access-code', secretValue] })),
      () => loadConfig(schema, sources({ env: { COCOON_PROXY_SECRET_STRING: secretValue, COCOON_PROXY_HTTP_PORT: 'x' } })),
      () => loadConfig(schema, sources({ file: writeJson('secret.json', { access_code: secretValue }) })),
    ];
    for (const attempt of attempts) {
      assert.throws(attempt, (error: Error) => {
        messages.push(error.message);
        return error instanceof CocoonError;
      });
    }
    for (const message of messages) {
      assert.ok(!message.includes(secretValue) && !message.includes('hunte'), `secret leaked: ${message}`);
    }
    assert.ok(messages[1]?.includes('--access-code'));
  });
});

describe('loadConfig whole-schema checks and paths', () => {
  const refined = z
    .object({ ton_endpoint: z.string().default(''), root_contract_address: z.string().default(''), tags: z.array(z.string().min(2)).default([]) })
    .strict()
    .refine((config) => config.ton_endpoint === '' || config.root_contract_address !== '', { message: 'required with ton_endpoint', path: ['root_contract_address'] });

  test('a refined schema still exposes its keys (unknown keys are still refused)', () => {
    assert.deepEqual(Object.keys(configSchemaShape(refined)), ['ton_endpoint', 'root_contract_address', 'tags']);
    assertConfigError(() => loadConfig(refined, sources({ argv: ['--nope', '1'] })), 'nope', "unknown key 'nope'");
    assertConfigError(() => configSchemaShape(z.string()), 'schema', 'must be a zod object');
  });

  test('a cross-field rule names the key it blames: its source when set, "(default)" when not', () => {
    assertConfigError(() => loadConfig(refined, sources({ argv: ['--ton-endpoint', 'http://x'] })), 'root_contract_address', 'root_contract_address (default): required with ton_endpoint');
    assertConfigError(
      () => loadConfig(refined, sources({ argv: ['--ton-endpoint', 'http://x'], env: { COCOON_PROXY_ROOT_CONTRACT_ADDRESS: '' } })),
      'root_contract_address',
      'env COCOON_PROXY_ROOT_CONTRACT_ADDRESS: required with ton_endpoint',
    );
    assert.equal(loadConfig(refined, sources({ argv: ['--ton-endpoint', 'http://x', '--root-contract-address', 'r'] })).root_contract_address, 'r');
  });

  test('an element of a list is named by its index, in the file and in flags', () => {
    const file = writeJson('tags.json', { tags: ['ok', 'x'] });
    assertConfigError(() => loadConfig(refined, sources({ file })), 'tags', `tags[1] in file ${file}:`);
    assertConfigError(() => loadConfig(refined, sources({ argv: ['--tags', '["x"]'] })), 'tags', '--tags (tags[0]):');
  });

  test('a security-sensitive key may be raised by env and the raise kept by a flag, but a flag may not drop below the file', () => {
    const file = writeJson('policy.json', { worker_policy: 'fake_tdx' });
    const env = { COCOON_PROXY_WORKER_POLICY: 'tdx' };
    assert.equal(loadConfig(schema, sources({ file, env, argv: ['--worker-policy', 'fake_tdx'] })).worker_policy, 'fake_tdx', 'compared with the file, not with env');
    assertConfigError(() => loadConfig(schema, sources({ file, env, argv: ['--worker-policy', 'any'] })), 'worker_policy', "below 'fake_tdx' set in file");
  });
});
