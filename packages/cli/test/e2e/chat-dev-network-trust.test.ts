/**
 * `cocoon chat` with no trust configured, against a test network whose dev attestation authority
 * `cocoon dev` keeps on disk: it verifies workers under that authority with policy tdx (and says so);
 * a config file, a named authority, a production network or no authority on disk leave the config as is.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withDevNetworkTrust } from '../../src/commands/chat-command.ts';
import type { CliIo } from '../../src/cli-io.ts';

const testTrust = { is_test: true, hashes_checked: false, worker_hashes: [], model_hashes: [] };

test('the dev network authority is used only when nothing names a trust and the network is a test one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cocoon-dev-authority-'));
  const said: string[] = [];
  const io: CliIo = { stdout: () => undefined, stderr: (line) => said.push(line), env: {} };
  const defaults = { proxy_policy: 'fake_tdx', attestation_dev_authority_dir: '' };
  try {
    assert.deepEqual(withDevNetworkTrust(defaults, undefined, testTrust, io, dir), defaults, 'no authority on disk');
    writeFileSync(join(dir, 'root-ca.pem'), 'pem');
    assert.deepEqual(withDevNetworkTrust(defaults, undefined, testTrust, io, dir), { proxy_policy: 'tdx', attestation_dev_authority_dir: dir });
    assert.match(said.join('\n'), /dev attestation authority/);
    assert.deepEqual(withDevNetworkTrust(defaults, 'client.json', testTrust, io, dir), defaults, 'a config file decides');
    const named = { proxy_policy: 'tdx', attestation_dev_authority_dir: '/elsewhere' };
    assert.deepEqual(withDevNetworkTrust(named, undefined, testTrust, io, dir), named, 'a named authority decides');
    assert.deepEqual(withDevNetworkTrust(defaults, undefined, { ...testTrust, is_test: false }, io, dir), defaults, 'never on a production network');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
