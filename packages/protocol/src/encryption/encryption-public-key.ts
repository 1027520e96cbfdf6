/**
 * Reads a public key as the reference's `parse_bits256_from_json` does, for `receiver_public_key`,
 * `sender_public_key` and the client runner: 32 raw bytes, 64 hex digits or 44 standard base64
 * characters (decoding to exactly 32 bytes; the reference copies a shorter result into a 32-byte
 * buffer, we refuse it). Keys are written as 64 lower-case hex digits.
 */
import { fromBase64OrUndefined, fromHexOrUndefined, utf8Bytes } from './encryption-bytes.ts';
import { ENCRYPTION_KEY_BYTES } from './shared-secret.ts';

/** The 32 key bytes of `value` (a text, or a multipart field's bytes); undefined when it is none of the three forms. */
export function parseEncryptionPublicKey(value: string | Uint8Array): Uint8Array | undefined {
  const bytes = typeof value === 'string' ? utf8Bytes(value) : value;
  if (bytes.length === ENCRYPTION_KEY_BYTES) return Uint8Array.from(bytes);
  const text = typeof value === 'string' ? value : new TextDecoder().decode(value);
  let key: Uint8Array | undefined;
  if (bytes.length === 64) key = fromHexOrUndefined(text);
  else if (bytes.length === 44) key = fromBase64OrUndefined(text);
  return key?.length === ENCRYPTION_KEY_BYTES ? key : undefined;
}
