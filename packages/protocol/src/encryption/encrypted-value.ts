/**
 * One encrypted string value of the proto-3 encryption: `ENC_` + hex(tde2e ciphertext). On decrypt
 * `DEC_` + text is accepted as clear text, as in the reference (an app may leave a field readable);
 * anything else is refused. JSON values are UTF-8 text; multipart fields may be any bytes.
 */
import { CocoonError } from '../errors/error-table.ts';
import { fromHexOrUndefined, toHex, utf8Bytes, utf8TextOrUndefined } from './encryption-bytes.ts';
import type { RandomBytes } from './encryption-bytes.ts';
import { decryptMessage, encryptMessage } from './tde2e-message-encryption.ts';
import { encryptionRefusal } from './encryption-refusal.ts';

export const ENCRYPTED_PREFIX = 'ENC_';
export const CLEAR_PREFIX = 'DEC_';
const ENCRYPTED_PREFIX_BYTES = utf8Bytes(ENCRYPTED_PREFIX);
const CLEAR_PREFIX_BYTES = utf8Bytes(CLEAR_PREFIX);

export function encryptValue(plain: string | Uint8Array, secret: Uint8Array, random: RandomBytes): string {
  const bytes = typeof plain === 'string' ? utf8Bytes(plain) : plain;
  return ENCRYPTED_PREFIX + toHex(encryptMessage(bytes, secret, random));
}

/** The plaintext bytes of an `ENC_`/`DEC_` value (given as text or bytes); `field` names it in a refusal. */
export function decryptValueBytes(value: string | Uint8Array, secret: Uint8Array, field: string): Uint8Array {
  const bytes = typeof value === 'string' ? utf8Bytes(value) : value;
  const prefix = bytes.subarray(0, 4);
  if (equalPrefix(prefix, CLEAR_PREFIX_BYTES)) return bytes.subarray(4);
  if (!equalPrefix(prefix, ENCRYPTED_PREFIX_BYTES)) throw encryptionRefusal('bad-method', `field '${field}' is neither ENC_ nor DEC_`, field);
  const text = typeof value === 'string' ? value.slice(4) : new TextDecoder().decode(bytes.subarray(4));
  const encrypted = fromHexOrUndefined(text);
  if (encrypted === undefined) throw encryptionRefusal('bad-ciphertext', `field '${field}' is not hex after ENC_`, field);
  try {
    return decryptMessage(encrypted, secret);
  } catch (error) {
    throw error instanceof CocoonError ? withField(error, field) : error;
  }
}

/** The plaintext text of an `ENC_`/`DEC_` JSON string value; refuses plaintext that is not UTF-8. */
export function decryptTextValue(value: string, secret: Uint8Array, field: string): string {
  if (value.startsWith(CLEAR_PREFIX)) return value.slice(4);
  const text = utf8TextOrUndefined(decryptValueBytes(value, secret, field));
  if (text === undefined) throw encryptionRefusal('bad-ciphertext', `field '${field}' does not decrypt to UTF-8 text`, field);
  return text;
}

function equalPrefix(prefix: Uint8Array, expected: Uint8Array): boolean {
  return prefix.length === expected.length && prefix.every((byte, index) => byte === expected[index]);
}

function withField(error: CocoonError, field: string): CocoonError {
  return encryptionRefusal('bad-ciphertext', `field '${field}': ${error.message.replace(/^Failed to decrypt: /, '')}`, field);
}
