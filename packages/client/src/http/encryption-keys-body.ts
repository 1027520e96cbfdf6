/**
 * The `GET /v1/encryption/keys` answer (ours, §20): the network keys an app may encrypt a request to
 * right now — exactly those the client's ReceiverKeyPolicy accepts. On chain: the root's registered keys
 * that have not expired (valid while now ≤ expire_at, the contract's rule); off chain: the configured
 * `encryption_public_keys`, which do not expire (`expire_at` is the largest uint32 a root could hold; with
 * `is_test` the policy accepts any key, but only these are listed). The reference's public test key is
 * left out unless the network is `is_test`. Newest expiry first, ties by key, so the first entry is the
 * one to use. Loads nothing of the TON stack (the root is passed in).
 */
import { REFERENCE_DEBUG_PUBLIC_KEY_HEX } from '@cocoon/protocol';

/** One key as the root (or the config) lists it; `publicKey` is 64 hex digits, either case. */
export interface EncryptionKeyRecord {
  publicKey: string;
  keyType: number;
  /** Unix seconds. */
  expireAt: number;
}

/** Where the listed keys come from; read on every request, so a root update shows at once. */
export interface EncryptionKeysSource {
  isTest(): boolean;
  keys(): readonly EncryptionKeyRecord[];
}

export interface EncryptionKeyEntry {
  /** Ed25519 public key, 64 lower-case hex digits: the `receiver_public_key` of encryptRequest. */
  public_key: string;
  key_type: number;
  /** Unix seconds: the key is accepted while now ≤ expire_at. */
  expire_at: number;
}

export interface EncryptionKeysBody {
  object: 'list';
  data: EncryptionKeyEntry[];
}

/** The `expire_at` of a configured (off-chain) key: it never expires; the largest value the root's uint32 field holds. */
export const CONFIGURED_KEY_EXPIRE_AT = 0xffff_ffff;

/** The key type the reference's key manager registers (`PUBLIC_KEY_TYPE_ENCRYPTION` of @cocoon/ton). */
const ENCRYPTION_KEY_TYPE = 1;

export function encryptionKeysBody(source: EncryptionKeysSource, nowSeconds: number): EncryptionKeysBody {
  const isTest = source.isTest();
  const seen = new Set<string>();
  const data: EncryptionKeyEntry[] = [];
  for (const key of source.keys()) {
    const hex = key.publicKey.toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(hex) || seen.has(hex)) continue;
    if (hex === REFERENCE_DEBUG_PUBLIC_KEY_HEX && !isTest) continue;
    if (key.expireAt < nowSeconds) continue;
    seen.add(hex);
    data.push({ public_key: hex, key_type: key.keyType, expire_at: key.expireAt });
  }
  data.sort((left, right) => right.expire_at - left.expire_at || (left.public_key < right.public_key ? -1 : left.public_key > right.public_key ? 1 : 0));
  return { object: 'list', data };
}

/** On chain: the newest root's registered keys (`RootConfig.registeredPublicKeys`, `params.isTest`). */
export function rootEncryptionKeys(root: () => { registeredPublicKeys: readonly EncryptionKeyRecord[]; params: { isTest: boolean } }): EncryptionKeysSource {
  return { isTest: () => root().params.isTest, keys: () => root().registeredPublicKeys };
}

/** Off chain: the configured `encryption_public_keys` (hex), as keys of the encryption type that never expire. */
export function configuredEncryptionKeys(options: { isTest: boolean; keys: readonly string[] }): EncryptionKeysSource {
  const keys = options.keys.map((publicKey) => ({ publicKey, keyType: ENCRYPTION_KEY_TYPE, expireAt: CONFIGURED_KEY_EXPIRE_AT }));
  return { isTest: () => options.isTest, keys: () => keys };
}
