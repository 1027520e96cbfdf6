/**
 * The proto-3 encryption of one JSON object (the reference's encrypt_json / decrypt_json):
 * every string value, recursively through objects and arrays, becomes an `ENC_` value — except under
 * the keys that stay in clear (at any depth, with everything below them): the routing and billing
 * fields and the four envelope fields. Keys, numbers, booleans and nulls are never encrypted. The
 * envelope names the sender and receiver Ed25519 keys and a fresh nonce per object; the direction
 * ("c" request, "w" answer) is bound into the secret. Decryption refuses as the reference does:
 * a key with a clear object, an encrypted object without a key, missing envelope fields, a receiver
 * key that is not ours, a sender other than the expected one; and every non-clear string must be an
 * authentic `ENC_` (or a `DEC_`) value.
 */
import { constantTimeEqual, systemRandomBytes, toBase64, toHex } from './encryption-bytes.ts';
import type { RandomBytes } from './encryption-bytes.ts';
import { canonicalJson, isJsonObject, sortedKeys } from './canonical-json.ts';
import type { JsonObject, JsonValue } from './canonical-json.ts';
import { decryptTextValue, encryptValue } from './encrypted-value.ts';
import { encryptionRefusal } from './encryption-refusal.ts';
import { parseEncryptionPublicKey } from './encryption-public-key.ts';
import { KeyAgreement, directionSecret } from './shared-secret.ts';
import type { EncryptionDirection } from './shared-secret.ts';

/** The envelope fields, in clear, added to every encrypted object. */
export const ENVELOPE_FIELDS = ['is_encrypted', 'sender_public_key', 'receiver_public_key', 'encryption_nonce'] as const;
/** Fields that stay in clear wherever they appear: the client runner, proxy and worker read them. */
export const CLEAR_FIELDS = ['model', 'max_completion_tokens', 'max_tokens', 'max_coefficient', 'timeout', 'debug', 'enable_debug', 'request_guid'] as const;
/** The one `is_encrypted` value defined (the reference accepts any; we refuse others rather than misread a newer scheme). */
export const ENCRYPTION_SCHEME = 'v1';
const NONCE_BYTES = 32;

const CLEAR = new Set<string>([...ENVELOPE_FIELDS, ...CLEAR_FIELDS]);

/** Whether a value under `key` is encrypted (strings) or walked into (objects, arrays). */
export function isEncryptedField(key: string): boolean {
  return !CLEAR.has(key);
}

export interface SealOptions {
  /** The sender's 32-byte Ed25519 private seed. */
  senderPrivateKey: Uint8Array;
  /** The receiver's 32-byte Ed25519 public key. */
  receiverPublicKey: Uint8Array;
  direction: EncryptionDirection;
  random?: RandomBytes;
  /** The sender key's agreement, to reuse across the objects of one stream (its private key must be senderPrivateKey). */
  agreement?: KeyAgreement;
}

export interface OpenOptions {
  /** The receiver's private seed; undefined (or all zero on the wire, mapped by the caller) when none came. */
  privateKey: Uint8Array | undefined;
  direction: EncryptionDirection;
  /**
   * Set where the sender is known in advance (an app reading its answer: the key it encrypted to).
   * Then a clear object is refused too ("public key is provided, but request is unencrypted").
   */
  expectedSenderPublicKey?: Uint8Array;
  /** The private key's agreement, to reuse across the objects of one stream. */
  agreement?: KeyAgreement;
}

export interface OpenedObject {
  /** The decrypted object, envelope fields kept. */
  object: JsonObject;
  encrypted: boolean;
  /** The sender's public key (who an answer is encrypted back to); undefined for a clear object. */
  senderPublicKey: Uint8Array | undefined;
  /** The private key's agreement, holding the secret with the sender: an answer reuses it. */
  agreement?: KeyAgreement;
}

/** The agreement for `privateKey`: the one given when it is for that key, else a new one. */
export function agreementFor(privateKey: Uint8Array, given: KeyAgreement | undefined): KeyAgreement {
  return given !== undefined && constantTimeEqual(given.privateKey, privateKey) ? given : new KeyAgreement(privateKey);
}

/** The secret of one object, after checking that the agreement's key is the key `ownPublicKey` names. */
function objectSecret(agreement: KeyAgreement, peerPublicKey: Uint8Array, ownPublicKey: Uint8Array, nonce: string, direction: EncryptionDirection): Uint8Array {
  if (!constantTimeEqual(agreement.publicKey, ownPublicKey)) throw encryptionRefusal('key-mismatch', undefined, 'receiver_public_key');
  return directionSecret(agreement.sharedSecret(peerPublicKey), nonce, direction);
}

function encryptNode(node: JsonValue, secret: Uint8Array, random: RandomBytes): JsonValue {
  if (typeof node === 'string') return encryptValue(node, secret, random);
  if (Array.isArray(node)) return node.map((item) => encryptNode(item, secret, random));
  if (!isJsonObject(node)) return node;
  const out: JsonObject = {};
  for (const key of sortedKeys(node)) { // the reference's order: keys bytewise, depth first
    const value = node[key] as JsonValue;
    out[key] = isEncryptedField(key) ? encryptNode(value, secret, random) : value;
  }
  return out;
}

function decryptNode(node: JsonValue, secret: Uint8Array, path: string): JsonValue {
  if (typeof node === 'string') return decryptTextValue(node, secret, path);
  if (Array.isArray(node)) return node.map((item, index) => decryptNode(item, secret, `${path}[${index}]`));
  if (!isJsonObject(node)) return node;
  const out: JsonObject = {};
  for (const key of Object.keys(node)) {
    const value = node[key] as JsonValue;
    out[key] = isEncryptedField(key) ? decryptNode(value, secret, path === '' ? key : `${path}.${key}`) : value;
  }
  return out;
}

/** Encrypts `object` to the receiver (a new object with the envelope; the input is not changed). */
export function sealJsonObject(object: JsonObject, options: SealOptions): JsonObject {
  const random = options.random ?? systemRandomBytes;
  const agreement = agreementFor(options.senderPrivateKey, options.agreement);
  const senderPublicKey = agreement.publicKey;
  const nonce = toBase64(random(NONCE_BYTES));
  const enveloped: JsonObject = {
    ...object,
    is_encrypted: ENCRYPTION_SCHEME,
    sender_public_key: toHex(senderPublicKey),
    receiver_public_key: toHex(options.receiverPublicKey),
    encryption_nonce: nonce,
  };
  const secret = objectSecret(agreement, options.receiverPublicKey, senderPublicKey, nonce, options.direction);
  return encryptNode(enveloped, secret, random) as JsonObject;
}

/** Like {@link sealJsonObject}, as the reference's JSON text. */
export function sealJsonText(object: JsonObject, options: SealOptions): string {
  return canonicalJson(sealJsonObject(object, options));
}

/** Reads an envelope key field; refuses one that is not a 32-byte key in any of the three forms. */
function envelopeKey(value: string, field: string): Uint8Array {
  const key = parseEncryptionPublicKey(value);
  if (key === undefined) throw encryptionRefusal('bad-public-key', `${field} must be 64 hex digits, 44 base64 characters or 32 bytes`, field);
  return key;
}

/** Decrypts an object if it is encrypted, with the reference's refusals (CCN_ERR_ENCRYPTION_*). */
export function openJsonObject(object: JsonObject, options: OpenOptions): OpenedObject {
  if (!Object.hasOwn(object, 'is_encrypted')) {
    if (options.privateKey !== undefined) throw encryptionRefusal('unexpected-key');
    if (options.expectedSenderPublicKey !== undefined) throw encryptionRefusal('unexpected-public-key');
    return { object, encrypted: false, senderPublicKey: undefined };
  }
  for (const field of ENVELOPE_FIELDS) {
    if (typeof object[field] !== 'string') throw encryptionRefusal('envelope', `'${field}' is missing or not a string`, field);
  }
  if (object.is_encrypted !== ENCRYPTION_SCHEME) throw encryptionRefusal('envelope', `is_encrypted must be '${ENCRYPTION_SCHEME}'`, 'is_encrypted');
  const senderPublicKey = envelopeKey(object.sender_public_key as string, 'sender_public_key');
  const receiverPublicKey = envelopeKey(object.receiver_public_key as string, 'receiver_public_key');
  if (options.privateKey === undefined) throw encryptionRefusal('no-key');
  if (options.expectedSenderPublicKey !== undefined && !constantTimeEqual(options.expectedSenderPublicKey, senderPublicKey)) {
    throw encryptionRefusal('sender-mismatch', undefined, 'sender_public_key');
  }
  const agreement = agreementFor(options.privateKey, options.agreement);
  const secret = objectSecret(agreement, senderPublicKey, receiverPublicKey, object.encryption_nonce as string, options.direction);
  return { object: decryptNode(object, secret, '') as JsonObject, encrypted: true, senderPublicKey, agreement };
}
