/**
 * One request-encryption key held by the key manager (reference `PrivateKey`): an Ed25519 seed,
 * its public key, the key type (1 = the X25519-via-Ed25519 request key), when it was minted,
 * until when it is valid and the root config version it was minted under. Also the reference's
 * published debug key, which this runner serves only on a test network.
 */
import { keyPairFromSeed } from '@ton/crypto';
import { REFERENCE_DEBUG_PUBLIC_KEY_HEX } from '@cocoon/protocol';

/** Key type of the request-encryption keys (the only one the reference mints). */
export const REQUEST_KEY_TYPE = 1;
/** A new key is minted when the newest is older than this (reference key_generate_period). */
export const KEY_GENERATE_PERIOD_SECONDS = 3600;
/** Keys are valid this long (reference key_ttl). */
export const KEY_TTL_SECONDS = 86_400;

export interface ManagedKey {
  /** 32-byte Ed25519 seed. Secret. */
  readonly privateKey: Buffer;
  /** 32-byte Ed25519 public key. */
  readonly publicKey: Buffer;
  readonly keyType: number;
  readonly validSinceConfigVersion: number;
  /** Unix seconds. */
  readonly validSince: number;
  /** Unix seconds. */
  readonly validUntil: number;
  /** Not stored: the reference's debug key (served on test networks with add_default_key). */
  readonly isDebugKey?: boolean;
}

export function publicKeyOf(privateKey: Buffer): Buffer {
  return Buffer.from(keyPairFromSeed(privateKey).publicKey);
}

/** The reference's debug key (spec/fake-ton: registered on its test roots). Everyone knows the private half. */
export const DEBUG_KEY_PRIVATE_BASE64 = 'BwrYLmEy2rMgZ/tyCv0AYFVaZPkFu+wNwoSQiJUbOmM=';
export const DEBUG_KEY_PUBLIC_BASE64 = Buffer.from(REFERENCE_DEBUG_PUBLIC_KEY_HEX, 'hex').toString('base64');
/** The reference's expiry of the debug key. */
export const DEBUG_KEY_VALID_UNTIL = 2_000_000_000;

export function debugKey(nowSeconds: number, configVersion: number): ManagedKey {
  const privateKey = Buffer.from(DEBUG_KEY_PRIVATE_BASE64, 'base64');
  return {
    privateKey, publicKey: publicKeyOf(privateKey), keyType: REQUEST_KEY_TYPE, validSinceConfigVersion: configVersion,
    validSince: nowSeconds, validUntil: DEBUG_KEY_VALID_UNTIL, isDebugKey: true,
  };
}

/** Log fields of a key (the logger hides fields named `*key*`, so the public half goes under `public`). */
export function keyLogFields(key: ManagedKey): Record<string, unknown> {
  return { public: key.publicKey.toString('hex'), type: key.keyType, valid_since: key.validSince, valid_until: key.validUntil };
}

/** The public view of a key (stats): never the private half. */
export function describeKey(key: ManagedKey): Record<string, unknown> {
  return {
    public_key: key.publicKey.toString('hex'), key_type: key.keyType, valid_since_config_version: key.validSinceConfigVersion,
    valid_since: key.validSince, valid_until: key.validUntil, ...(key.isDebugKey ? { debug_key: true } : {}),
  };
}
