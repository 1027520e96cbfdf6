/**
 * The synchronous primitives the end-to-end encryption (docs/protocol.md §22) is built on, behind one
 * small port: SHA-256 (one-shot and incremental), HKDF-SHA256, AES-256-GCM, Ed25519 and randomness.
 * The default is @noble (pure JS, runs in any browser); a Node runner installs node:crypto's native
 * ones with `useNodeE2ePrimitives()` (packages/protocol/src/encryption-node), byte-identical (tested).
 * Synchronous by design: per-request work must stay in the tens of microseconds. HPKE itself (async,
 * WebCrypto) is done once per client↔key pair and cached (e2e-hpke-caches.ts).
 */
import { gcm } from '@noble/ciphers/aes.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { systemRandomBytes } from '../encryption/encryption-bytes.ts';

/** An incremental SHA-256 (answer hashes grow chunk by chunk). */
export interface E2eSha256Hasher {
  update(data: Uint8Array): E2eSha256Hasher;
  /** The digest of what was fed so far; the hasher stays usable. */
  peek(): Uint8Array;
}

export interface E2ePrimitives {
  readonly name: string;
  sha256(data: Uint8Array): Uint8Array;
  createSha256(): E2eSha256Hasher;
  hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array;
  /** AES-256-GCM: ciphertext ‖ 16-byte tag. */
  aes256GcmSeal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Uint8Array;
  /** The plaintext, or undefined when authentication fails (or the input is shorter than a tag). */
  aes256GcmOpen(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | undefined;
  /** Ed25519 (RFC 8032) with a 32-byte seed as the private key. */
  ed25519Sign(privateKey: Uint8Array, message: Uint8Array): Uint8Array;
  /** Strict RFC 8032 verification (no ZIP-215 leniency), false for any malformed input. */
  ed25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  ed25519GetPublicKey(privateKey: Uint8Array): Uint8Array;
  randomBytes(length: number): Uint8Array;
}

class NobleSha256Hasher implements E2eSha256Hasher {
  private readonly hash = sha256.create();
  update(data: Uint8Array): E2eSha256Hasher {
    this.hash.update(data);
    return this;
  }
  peek(): Uint8Array {
    return this.hash.clone().digest();
  }
}

/** Pure-JS primitives from @noble/* (the browser-safe default). */
export const nobleE2ePrimitives: E2ePrimitives = {
  name: 'noble',
  sha256: (data) => sha256(data),
  createSha256: () => new NobleSha256Hasher(),
  hkdfSha256: (ikm, salt, info, length) => hkdf(sha256, ikm, salt, info, length),
  aes256GcmSeal: (key, nonce, aad, plaintext) => gcm(key, nonce, aad).encrypt(plaintext),
  aes256GcmOpen: (key, nonce, aad, sealed) => {
    if (sealed.length < 16) return undefined;
    try {
      return gcm(key, nonce, aad).decrypt(sealed);
    } catch {
      return undefined;
    }
  },
  ed25519Sign: (privateKey, message) => ed25519.sign(message, privateKey),
  ed25519Verify: (signature, message, publicKey) => {
    if (signature.length !== 64 || publicKey.length !== 32) return false;
    try {
      return ed25519.verify(signature, message, publicKey, { zip215: false });
    } catch {
      return false;
    }
  },
  ed25519GetPublicKey: (privateKey) => ed25519.getPublicKey(privateKey),
  randomBytes: (length) => systemRandomBytes(length),
};

let current: E2ePrimitives = nobleE2ePrimitives;

/** The primitives in use in this process. */
export function e2ePrimitives(): E2ePrimitives {
  return current;
}

/** Replaces the primitives for this process (a runner does it once at start); returns the previous ones. */
export function setE2ePrimitives(primitives: E2ePrimitives): E2ePrimitives {
  const previous = current;
  current = primitives;
  return previous;
}
