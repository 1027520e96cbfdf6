/**
 * The hash, MAC and block-cipher primitives the proto-3 encryption is built on (§20), behind one small
 * port: the default is @noble (pure JS, runs in any browser); a Node process swaps in node:crypto's
 * native ones with `setEncryptionPrimitives(nodeEncryptionPrimitives)` (packages/protocol/src/
 * encryption-node), several times faster per string and byte-identical (tested). Synchronous by design:
 * WebCrypto's subtle API is async and would make every walker async.
 */
import { cbc } from '@noble/ciphers/aes.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';

export interface EncryptionPrimitives {
  readonly name: string;
  sha256(data: Uint8Array): Uint8Array;
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array;
  hmacSha512(key: Uint8Array, data: Uint8Array): Uint8Array;
  /** AES-256-CBC without padding: `data` is a multiple of 16 bytes. */
  aes256CbcEncrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array;
  aes256CbcDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array;
}

/** Pure-JS primitives from @noble/hashes and @noble/ciphers (the browser-safe default). */
export const nobleEncryptionPrimitives: EncryptionPrimitives = {
  name: 'noble',
  sha256: (data) => sha256(data),
  hmacSha256: (key, data) => hmac(sha256, key, data),
  hmacSha512: (key, data) => hmac(sha512, key, data),
  aes256CbcEncrypt: (key, iv, data) => cbc(key, iv, { disablePadding: true }).encrypt(data),
  aes256CbcDecrypt: (key, iv, data) => cbc(key, iv, { disablePadding: true }).decrypt(data),
};

let current: EncryptionPrimitives = nobleEncryptionPrimitives;

/** The primitives in use in this process. */
export function encryptionPrimitives(): EncryptionPrimitives {
  return current;
}

/** Replaces the primitives for this process (a runner does it once at start); returns the previous ones. */
export function setEncryptionPrimitives(primitives: EncryptionPrimitives): EncryptionPrimitives {
  const previous = current;
  current = primitives;
  return previous;
}
