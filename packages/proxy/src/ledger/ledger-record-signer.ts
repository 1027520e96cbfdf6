/**
 * Signs and verifies durable ledger records with the proxy's Ed25519 key, so a tampered,
 * swapped or foreign record is detected when the ledger opens (§6.4: "each value signed
 * with the proxy key").
 *
 * Stored value = signature (64 bytes) ‖ payload. The signature covers
 * `"cocoon-proxy-ledger-v1\0" ‖ u16be(key length) ‖ key (UTF-8) ‖ payload`, so a record
 * cannot be moved to another key, and a record signature can never be mistaken for a
 * signed payment (those sign a 32-byte cell hash).
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { CocoonError } from '@cocoon/protocol';

/**
 * The proxy key as raw bytes: `publicKey` is the 32-byte Ed25519 public key; `secretKey`
 * is either the 32-byte seed or the 64-byte NaCl / @ton/crypto secret key (seed ‖ public key).
 */
export interface LedgerSigningKey {
  publicKey: Buffer;
  secretKey: Buffer;
}

const DOMAIN = Buffer.from('cocoon-proxy-ledger-v1\0', 'latin1');
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
export const LEDGER_SIGNATURE_BYTES = 64;

export class LedgerRecordSigner {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  /** The raw 32-byte public key (for verifier threads). */
  readonly publicKeyBytes: Buffer;

  constructor(key: LedgerSigningKey) {
    const invalid = (message: string): never => {
      throw new CocoonError('CCN_ERR_CONFIG_INVALID', `ledger signing key: ${message}`, { param: 'signingKey' });
    };
    if (key.publicKey.length !== 32) invalid('publicKey must be 32 bytes');
    if (key.secretKey.length !== 32 && key.secretKey.length !== 64) invalid('secretKey must be a 32-byte seed or a 64-byte seed ‖ public key');
    const seed = key.secretKey.subarray(0, 32);
    this.privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    this.publicKey = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, key.publicKey]), format: 'der', type: 'spki' });
    this.publicKeyBytes = Buffer.from(key.publicKey);
    const derived = createPublicKey(this.privateKey).export({ format: 'der', type: 'spki' }).subarray(SPKI_ED25519_PREFIX.length);
    if (!derived.equals(key.publicKey)) invalid('publicKey does not belong to secretKey');
    if (key.secretKey.length === 64 && !key.secretKey.subarray(32).equals(key.publicKey)) invalid('64-byte secretKey does not end with publicKey');
  }

  /** Returns the value to store under `key`: signature ‖ payload. */
  seal(key: string, payload: Buffer): Buffer {
    const signature = sign(null, signedMessage(key, payload), this.privateKey);
    return Buffer.concat([signature, payload]);
  }

  /** Returns the payload of a stored value, or throws CCN_ERR_LEDGER_CORRUPT naming the record. */
  open(key: string, stored: Uint8Array): Buffer {
    const { payload, signature } = splitStoredRecord(key, stored);
    if (!verify(null, signedMessage(key, payload), this.publicKey, signature)) throw badSignature(key);
    return payload;
  }
}

/** Splits a stored value into signature and payload (copies), without verifying. */
export function splitStoredRecord(key: string, stored: Uint8Array): { payload: Buffer; signature: Buffer } {
  const value = Buffer.from(stored);
  if (value.length < LEDGER_SIGNATURE_BYTES) throw corruptRecord(key, 'value is shorter than a signature');
  return { payload: value.subarray(LEDGER_SIGNATURE_BYTES), signature: value.subarray(0, LEDGER_SIGNATURE_BYTES) };
}

export function badSignature(key: string): CocoonError {
  return corruptRecord(key, 'signature does not verify with the proxy key (tampered or written by another key)');
}

export function corruptRecord(key: string, reason: string): CocoonError {
  return new CocoonError('CCN_ERR_LEDGER_CORRUPT', `ledger record "${key}" failed verification: ${reason}`, { param: key });
}

export function signedMessage(key: string, payload: Buffer): Buffer {
  const keyBytes = Buffer.from(key, 'utf8');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(keyBytes.length);
  return Buffer.concat([DOMAIN, length, keyBytes, payload]);
}
