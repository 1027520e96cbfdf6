/**
 * The key manager's strict config: defaults (13001 / 13000, hash checks on, no debug key), unknown
 * keys refused by name, and the security switches that env and flags cannot weaken below the file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@cocoon/protocol';
import { keyManagerConfigSchema } from '../src/index.ts';

test('defaults: ports 13001 and 13000, hash checks on, no debug key', () => {
  const config = keyManagerConfigSchema.parse({});
  assert.deepEqual([config.rpc_port, config.http_port, config.check_hashes, config.add_default_key], [13001, 13000, true, false]);
});

test('an unknown key is refused by name', () => {
  assert.throws(() => loadConfig(keyManagerConfigSchema, { env: {}, envPrefix: 'COCOON_KEY_MANAGER_', argv: ['--rpc-prot', '1'] }), /rpc-prot|rpc_prot/);
});

test('flags cannot switch off the file\'s hash checks or switch on the debug key', () => {
  const directory = mkdtempSync(join(tmpdir(), 'cocoon-km-config-'));
  try {
    const file = join(directory, 'key-manager.json');
    writeFileSync(file, JSON.stringify({ check_hashes: true, add_default_key: false }));
    assert.throws(() => loadConfig(keyManagerConfigSchema, { file, env: {}, envPrefix: 'COCOON_KEY_MANAGER_', argv: ['--check-hashes', 'false'] }), /check_hashes/);
    assert.throws(() => loadConfig(keyManagerConfigSchema, { file, env: { COCOON_KEY_MANAGER_ADD_DEFAULT_KEY: 'true' }, envPrefix: 'COCOON_KEY_MANAGER_', argv: [] }), /add_default_key/);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});
