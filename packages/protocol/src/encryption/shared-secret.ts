/**
 * Key agreement of the proto-3 encryption, as the reference's `td::Ed25519::compute_shared_secret`
 * (ton crypto/Ed25519.cpp) and `generate_shared_secret` (ValidateRequest.cpp): both sides hold
 * Ed25519 keys; the private seed becomes an X25519 scalar (SHA-512 of the seed, clamped), the peer's
 * public key its Montgomery u = (1 + y) / (1 − y); the raw X25519 output is then bound to the
 * object's nonce text and direction: secret = SHA-256(shared ‖ encryption_nonce ‖ "c" | "w").
 * A public key that is not a point of the curve, or of low order, is refused (the reference converts
 * without checking; for valid keys both agree byte for byte). A KeyAgreement keeps one private key's
 * public key and its raw secrets with a few peers: a streamed answer seals each chunk with a fresh
 * nonce but the same two keys, so the two scalar multiplications are done once per stream, not per chunk.
 */
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { concatenate, toHex, utf8Bytes } from './encryption-bytes.ts';
import { encryptionPrimitives } from './encryption-primitives.ts';
import { encryptionRefusal } from './encryption-refusal.ts';

/** "c": an app's request to the worker; "w": the worker's answer to the app. */
export type EncryptionDirection = 'c' | 'w';

export const ENCRYPTION_KEY_BYTES = 32;

/** The Ed25519 public key of a 32-byte private seed. */
export function ed25519PublicKeyOf(privateSeed: Uint8Array): Uint8Array {
  if (privateSeed.length !== ENCRYPTION_KEY_BYTES) throw encryptionRefusal('bad-public-key', 'a private key must be 32 bytes');
  return ed25519.getPublicKey(privateSeed);
}

/** The raw X25519 shared secret between a private seed and a peer's Ed25519 public key. */
export function x25519SharedSecret(privateSeed: Uint8Array, peerPublicKey: Uint8Array): Uint8Array {
  if (privateSeed.length !== ENCRYPTION_KEY_BYTES || peerPublicKey.length !== ENCRYPTION_KEY_BYTES) {
    throw encryptionRefusal('bad-public-key', 'keys must be 32 bytes');
  }
  let peerMontgomery: Uint8Array;
  try {
    peerMontgomery = ed25519.utils.toMontgomery(peerPublicKey);
  } catch {
    throw encryptionRefusal('not-a-point', 'not a point of the curve');
  }
  try {
    return x25519.getSharedSecret(ed25519.utils.toMontgomerySecret(privateSeed), peerMontgomery);
  } catch {
    throw encryptionRefusal('not-a-point', 'a low-order point');
  }
}

/** The per-object secret: SHA-256(shared ‖ nonce text as sent ‖ direction). */
export function directionSecret(shared: Uint8Array, nonceText: string, direction: EncryptionDirection): Uint8Array {
  return encryptionPrimitives().sha256(concatenate(shared, utf8Bytes(nonceText), utf8Bytes(direction)));
}

/** Peers whose raw secrets one KeyAgreement keeps (a stream has one; a bound, not a cache policy). */
const MAX_PEERS = 8;

/** One private key's public key and raw X25519 secrets, computed once each. */
export class KeyAgreement {
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly #shared = new Map<string, Uint8Array>();

  constructor(privateKey: Uint8Array) {
    this.privateKey = Uint8Array.from(privateKey);
    this.publicKey = ed25519PublicKeyOf(this.privateKey);
  }

  /** x25519SharedSecret(privateKey, peerPublicKey), remembered for the next object with this peer. */
  sharedSecret(peerPublicKey: Uint8Array): Uint8Array {
    const key = toHex(peerPublicKey);
    let shared = this.#shared.get(key);
    if (shared === undefined) {
      shared = x25519SharedSecret(this.privateKey, peerPublicKey);
      if (this.#shared.size >= MAX_PEERS) this.#shared.clear();
      this.#shared.set(key, shared);
    }
    return shared;
  }
}
