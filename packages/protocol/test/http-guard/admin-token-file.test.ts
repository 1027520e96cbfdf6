/** The admin token file: created with 0600 in a new directory, reused on restart, tightened, validated. */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateAdminToken, readAdminToken } from '../../src/index.ts';

describe('admin token file', () => {
  const directory = mkdtempSync(join(tmpdir(), 'cocoon-admin-token-'));
  after(() => rmSync(directory, { recursive: true, force: true }));
  const fixedRandom = (fill: number) => (bytes: number): Buffer => Buffer.alloc(bytes, fill);

  test('first start creates the parent directory and a 0600 file with 32 random bytes as hex; a restart reuses it', () => {
    const path = join(directory, 'proxy', 'nested', 'admin.token');
    const token = loadOrCreateAdminToken(path, fixedRandom(0xab));
    assert.equal(token, 'ab'.repeat(32));
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(join(directory, 'proxy', 'nested')).mode & 0o077, 0, 'the directory is private');
    assert.equal(readFileSync(path, 'utf8').trim(), token);
    assert.equal(loadOrCreateAdminToken(path, fixedRandom(0xcd)), token, 'restart: same token');
    assert.equal(readAdminToken(path), token);
    assert.deepEqual(readdirSync(join(directory, 'proxy', 'nested')), ['admin.token'], 'no temporary file left behind');
  });

  test('the default random source gives different tokens per file', () => {
    const first = loadOrCreateAdminToken(join(directory, 'a', 'admin.token'));
    const second = loadOrCreateAdminToken(join(directory, 'b', 'admin.token'));
    assert.match(first, /^[0-9a-f]{64}$/);
    assert.notEqual(first, second);
  });

  test('a readable file is tightened to 0600; a malformed one is refused without showing its content', () => {
    const loose = join(directory, 'loose.token');
    writeFileSync(loose, `${'12'.repeat(32)}\n`);
    chmodSync(loose, 0o644);
    assert.equal(loadOrCreateAdminToken(loose), '12'.repeat(32));
    assert.equal(statSync(loose).mode & 0o777, 0o600);
    const bad = join(directory, 'bad.token');
    writeFileSync(bad, 'not-a-token-secret', { mode: 0o600 });
    assert.throws(() => loadOrCreateAdminToken(bad), (error: Error & { code?: string }) => error.code === 'CCN_ERR_CONFIG_INVALID' && !error.message.includes('not-a-token-secret'));
    assert.throws(() => readAdminToken(join(directory, 'missing.token')), { code: 'CCN_ERR_CONFIG_INVALID' });
  });
});
