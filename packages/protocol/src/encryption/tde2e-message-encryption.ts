/**
 * Telegram's tde2e per-message encryption (td/e2e/MessageEncryption.cpp, as the reference vendors it
 * in tdport), used for every encrypted string of a proto-3 request or answer:
 * keys  = HMAC-SHA512(secret, "tde2e_encrypt_data") → encryption key [0,32), MAC key [32,64);
 * plain = random prefix of 16–31 bytes (its first byte its length, total a multiple of 16) ‖ data;
 * id    = HMAC-SHA256(MAC key, plain ‖ le32(0))[0,16) (no additional data);
 * out   = id ‖ AES-256-CBC(key, iv from HMAC-SHA512(encryption key, id)) over plain, no padding.
 * Decryption checks the id in constant time, then the prefix length.
 */
import { encryptionPrimitives } from './encryption-primitives.ts';
import { concatenate, constantTimeEqual, utf8Bytes } from './encryption-bytes.ts';
import type { RandomBytes } from './encryption-bytes.ts';
import { encryptionRefusal } from './encryption-refusal.ts';

const KEY_INFO = utf8Bytes('tde2e_encrypt_data');
const MIN_PADDING = 16;
const BLOCK = 16;
const MESSAGE_ID_BYTES = 16;
/** le32(len(extra)) with no additional data. */
const NO_EXTRA = new Uint8Array(4);

interface MessageKeys { secret: Uint8Array; encryptKey: Uint8Array; macKey: Uint8Array }

/** The keys of a secret, derived once per secret object (every string of one JSON object shares its secret). */
const derivedKeys = new WeakMap<Uint8Array, MessageKeys>();

function messageKeys(secret: Uint8Array): MessageKeys {
  const known = derivedKeys.get(secret);
  if (known !== undefined && constantTimeEqual(known.secret, secret)) return known; // unchanged since
  const large = encryptionPrimitives().hmacSha512(secret, KEY_INFO);
  const keys = { secret: Uint8Array.from(secret), encryptKey: large.subarray(0, 32), macKey: large.subarray(32, 64) };
  derivedKeys.set(secret, keys);
  return keys;
}

/** AES-256 key and IV of one message: the first 48 bytes of HMAC-SHA512(encryption key, id). */
function cipherParameters(encryptKey: Uint8Array, messageId: Uint8Array): { key: Uint8Array; iv: Uint8Array } {
  const hash = encryptionPrimitives().hmacSha512(encryptKey, messageId);
  return { key: hash.subarray(0, 32), iv: hash.subarray(32, 48) };
}

/** Length of the random prefix for `dataLength` bytes: 16–31, making the total a multiple of 16. */
export function paddingLength(dataLength: number): number {
  return ((MIN_PADDING + BLOCK - 1 + dataLength) & ~(BLOCK - 1)) - dataLength;
}

/** Encrypts `data` (the random prefix is drawn from `random`: one call of paddingLength bytes). */
export function encryptMessage(data: Uint8Array, secret: Uint8Array, random: RandomBytes): Uint8Array {
  const prefixLength = paddingLength(data.length);
  const prefix = Uint8Array.from(random(prefixLength));
  if (prefix.length !== prefixLength) throw new RangeError(`random source returned ${prefix.length} bytes, ${prefixLength} asked`);
  prefix[0] = prefixLength;
  const plain = concatenate(prefix, data);
  const { encryptKey, macKey } = messageKeys(secret);
  const primitives = encryptionPrimitives();
  const messageId = primitives.hmacSha256(macKey, concatenate(plain, NO_EXTRA)).subarray(0, MESSAGE_ID_BYTES);
  const { key, iv } = cipherParameters(encryptKey, messageId);
  return concatenate(messageId, primitives.aes256CbcEncrypt(key, iv, plain));
}

/** Decrypts and authenticates; throws CCN_ERR_ENCRYPTION_BAD_VALUE ("Failed to decrypt: …"). */
export function decryptMessage(encrypted: Uint8Array, secret: Uint8Array): Uint8Array {
  // The reference accepts a bare 16-byte id and then reads past its empty plaintext; we refuse it.
  if (encrypted.length < MESSAGE_ID_BYTES + BLOCK) throw encryptionRefusal('bad-ciphertext', 'encrypted data is too short');
  if (encrypted.length % BLOCK !== 0) throw encryptionRefusal('bad-ciphertext', 'data size is not divisible by 16');
  const messageId = encrypted.subarray(0, MESSAGE_ID_BYTES);
  const { encryptKey, macKey } = messageKeys(secret);
  const primitives = encryptionPrimitives();
  const { key, iv } = cipherParameters(encryptKey, messageId);
  const plain = primitives.aes256CbcDecrypt(key, iv, encrypted.subarray(MESSAGE_ID_BYTES));
  const expected = primitives.hmacSha256(macKey, concatenate(plain, NO_EXTRA)).subarray(0, MESSAGE_ID_BYTES);
  if (!constantTimeEqual(expected, messageId)) throw encryptionRefusal('bad-ciphertext', 'msg_id mismatch');
  const prefixLength = plain[0] as number;
  if (prefixLength > plain.length || prefixLength < MIN_PADDING) throw encryptionRefusal('bad-ciphertext', 'invalid prefix size');
  return plain.subarray(prefixLength);
}
