/**
 * The HTTP doors' config keys (admin_token_file, http_cors_origins, http_allowed_hosts):
 * defaults, validation of exact origins and host names, and the list rule that env/flags may
 * only narrow a list set in the config file.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { getConfigFieldMeta, httpGuardConfigFields, loadConfig } from '../../src/config/index.ts';

const directory = mkdtempSync(join(tmpdir(), 'cocoon-http-guard-config-'));
after(() => rmSync(directory, { recursive: true, force: true }));
const schema = z.object({ ...httpGuardConfigFields({ adminTokenFile: '.cocoon/proxy/admin.token' }) }).strict();
const file = (value: unknown): string => {
  const path = join(directory, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(value));
  return path;
};
const load = (argv: string[], configFile?: string, env: Record<string, string> = {}) =>
  loadConfig(schema, { env, envPrefix: 'COCOON_PROXY_', argv, ...(configFile === undefined ? {} : { file: configFile }) });

describe('HTTP guard config fields', () => {
  test('defaults: a per-role token file, no CORS origins, no extra host names', () => {
    assert.deepEqual(load([]), { admin_token_file: '.cocoon/proxy/admin.token', http_cors_origins: [], http_allowed_hosts: [], metrics_require_token: false });
    assert.ok(getConfigFieldMeta(schema.shape.http_cors_origins).securitySubset);
    assert.ok(getConfigFieldMeta(schema.shape.http_allowed_hosts).securitySubset);
  });

  test('origins must be exact (scheme, host, port); host names carry no port and are lower-cased', () => {
    assert.deepEqual(load(['--http-cors-origins', '["http://127.0.0.1:10000","https://app.example"]']).http_cors_origins, ['http://127.0.0.1:10000', 'https://app.example']);
    for (const bad of ['*', 'http://127.0.0.1:10000/', 'http://App.example', 'ftp://x.example', 'http://x.example/path', 'null']) {
      assert.throws(() => load(['--http-cors-origins', JSON.stringify([bad])]), { code: 'CCN_ERR_CONFIG_INVALID' }, bad);
    }
    assert.deepEqual(load(['--http-allowed-hosts', '["Cocoon.Example","[::1]","10.0.0.5"]']).http_allowed_hosts, ['cocoon.example', '::1', '10.0.0.5']);
    for (const bad of ['cocoon.example:443', 'http://cocoon.example', 'a b', '']) {
      assert.throws(() => load(['--http-allowed-hosts', JSON.stringify([bad])]), { code: 'CCN_ERR_CONFIG_INVALID' }, bad);
    }
  });

  test('a list set in the file may be narrowed by env or flags, never widened', () => {
    const configFile = file({ http_cors_origins: ['http://127.0.0.1:10000', 'http://127.0.0.1:3000'], http_allowed_hosts: ['cocoon.example'] });
    assert.deepEqual(load(['--http-cors-origins', '["http://127.0.0.1:3000"]'], configFile).http_cors_origins, ['http://127.0.0.1:3000']);
    assert.deepEqual(load(['--http-cors-origins', '[]'], configFile).http_cors_origins, []);
    assert.throws(() => load(['--http-cors-origins', '["http://127.0.0.1:10000","http://attacker.example"]'], configFile), (error: Error) =>
      /may not add 'http:\/\/attacker\.example' to security-sensitive list 'http_cors_origins'/.test(error.message));
    assert.throws(() => load([], configFile, { COCOON_PROXY_HTTP_ALLOWED_HOSTS: '["cocoon.example","attacker.example"]' }), /may not add 'attacker\.example'/);
    assert.deepEqual(load(['--http-allowed-hosts', '["COCOON.example"]'], configFile).http_allowed_hosts, ['cocoon.example'], 'compared after normalization');
    const empty = file({});
    assert.deepEqual(load(['--http-cors-origins', '["http://127.0.0.1:10000"]'], empty).http_cors_origins, ['http://127.0.0.1:10000'], 'not set in the file: flags may set it');
  });

  test('metrics_require_token set in the file cannot be turned off by env or flags; they may turn it on', () => {
    const strict = file({ metrics_require_token: true });
    assert.equal(load([], strict).metrics_require_token, true);
    assert.throws(() => load(['--metrics-require-token', 'false'], strict), /metrics_require_token/);
    assert.throws(() => load([], strict, { COCOON_PROXY_METRICS_REQUIRE_TOKEN: 'false' }), /metrics_require_token/);
    assert.equal(load(['--metrics-require-token'], file({})).metrics_require_token, true);
  });
});
