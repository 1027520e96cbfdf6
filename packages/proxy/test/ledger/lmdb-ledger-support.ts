/** Test support for LmdbLedger suites: deterministic proxy keys and self-cleaning temp directories. */
import { after } from 'node:test';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LedgerSigningKey } from '../../src/ledger/index.ts';

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** A deterministic Ed25519 key (32-byte seed filled with `fill`). */
export function testSigningKey(fill: number): LedgerSigningKey {
  const secretKey = Buffer.alloc(32, fill);
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, secretKey]), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(12);
  return { publicKey: Buffer.from(publicKey), secretKey };
}

const directories: string[] = [];
after(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

/** A fresh temp directory removed when the test file finishes; the ledger lives in `<dir>/ledger`. */
export function temporaryLedgerPath(): string {
  const directory = mkdtempSync(join(tmpdir(), 'cocoon-ledger-'));
  directories.push(directory);
  return join(directory, 'ledger');
}
