/**
 * Node keys on disk (§8.4 `node_wallet_key`, the proxy's payment key): a 32-byte Ed25519
 * seed stored as hex in a file with 0600 permissions, created on first use. The seed is a
 * secret: it is never logged.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { keyPairFromSeed, type KeyPair } from '@ton/crypto';
import { CocoonError } from '@cocoon/protocol';

/** Reads the seed in `path`, creating the file (0600, directory 0700) with a fresh seed if it does not exist. */
export function loadOrCreateKeySeed(path: string, random: (bytes: number) => Buffer = randomBytes): Buffer {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, `${random(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  }
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) chmodSync(path, 0o600);
  const text = readFileSync(path, 'utf8').trim();
  if (!/^[0-9a-fA-F]{64}$/.test(text)) {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', `key file ${path} must hold 64 hex characters (a 32-byte seed)`, { param: path });
  }
  return Buffer.from(text, 'hex');
}

/** The Ed25519 key pair (@ton/crypto: 64-byte secretKey, 32-byte publicKey) of a key file. */
export function loadOrCreateKeyPair(path: string, random?: (bytes: number) => Buffer): KeyPair {
  return keyPairFromSeed(loadOrCreateKeySeed(path, random));
}
