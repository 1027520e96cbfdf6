/**
 * Node key files (§8.4): created once with a 32-byte seed as hex, mode 0600 in a 0700
 * directory, reused afterwards (the key pair is stable), loose permissions tightened, and a
 * malformed file refused with CCN_ERR_CONFIG_INVALID without echoing its contents.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { keyPairFromSeed } from '@ton/crypto';
import { isCocoonError } from '@cocoon/protocol';
import { loadOrCreateKeyPair, loadOrCreateKeySeed } from '../../src/wallet/key-file.ts';

function temporaryDirectory(t: { after: (fn: () => void) => void }): string {
  const directory = mkdtempSync(path.join(tmpdir(), 'cocoon-key-file-'));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}

const fixedRandom = (byte: number) => (length: number) => Buffer.alloc(length, byte);

describe('key files', () => {
  test('the first use creates a 0600 file (in a 0700 directory) holding the seed as hex', (t) => {
    const file = path.join(temporaryDirectory(t), 'keys', 'node.key');
    const requested: number[] = [];
    const seed = loadOrCreateKeySeed(file, (length) => { requested.push(length); return Buffer.alloc(length, 0xab); });
    assert.deepEqual(requested, [32]);
    assert.deepEqual(seed, Buffer.alloc(32, 0xab));
    assert.equal(readFileSync(file, 'utf8'), `${'ab'.repeat(32)}\n`);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(path.dirname(file)).mode & 0o777, 0o700);
  });

  test('later uses read the same seed and never draw new randomness', (t) => {
    const file = path.join(temporaryDirectory(t), 'node.key');
    const first = loadOrCreateKeyPair(file, fixedRandom(1));
    const again = loadOrCreateKeyPair(file, () => assert.fail('no new seed for an existing file'));
    assert.deepEqual(again.publicKey, first.publicKey);
    assert.deepEqual(again.secretKey, first.secretKey);
    assert.deepEqual(first.publicKey, keyPairFromSeed(Buffer.alloc(32, 1)).publicKey);
    assert.equal(first.secretKey.length, 64);
  });

  test('a file readable by others is tightened to 0600 and still used', (t) => {
    const file = path.join(temporaryDirectory(t), 'node.key');
    writeFileSync(file, 'CD'.repeat(32));
    chmodSync(file, 0o644);
    assert.deepEqual(loadOrCreateKeySeed(file), Buffer.alloc(32, 0xcd), 'uppercase hex without a newline is fine');
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  const malformed: Array<[string, string]> = [
    ['empty', ''],
    ['one hex character short', 'a'.repeat(63)],
    ['one hex character long', 'a'.repeat(65)],
    ['not hex', 'g'.repeat(64)],
    ['a 0x prefix', `0x${'a'.repeat(64)}`],
    ['two seeds', `${'a'.repeat(64)}\n${'b'.repeat(64)}`],
    ['a secret in another format', 'c2VjcmV0LWtleS1pbi1iYXNlNjQtbm90LWhleC1hdC1hbGwtMTIzNDU2Nzg='],
  ];
  for (const [name, contents] of malformed) {
    test(`a key file that is ${name} is refused without echoing it`, (t) => {
      const file = path.join(temporaryDirectory(t), 'node.key');
      writeFileSync(file, contents, { mode: 0o600 });
      assert.throws(() => loadOrCreateKeySeed(file), (error: unknown) =>
        isCocoonError(error) && error.code === 'CCN_ERR_CONFIG_INVALID' && error.message.includes(file)
        && /64 hex characters/.test(error.message) && (contents.length < 8 || !error.message.includes(contents.slice(0, 8))));
    });
  }
});
