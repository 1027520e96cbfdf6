/**
 * The fixed labels (domain separation strings) of the end-to-end encryption, version 1 (§22), and
 * the small byte helpers every e2e module shares (concatenation, big-endian counters, hex ids).
 */
import { utf8Bytes, toHex } from '../encryption/encryption-bytes.ts';

export const E2E_VERSION = 1;
/** HPKE `info` of every sender/recipient context. */
export const HPKE_INFO = utf8Bytes('cocoon-e2e-1');
/** HPKE exporter context of the per client↔key wrap secret. */
export const HPKE_EXPORT_WRAP = utf8Bytes('cocoon-e2e-1 wrap');
export const KEY_SET_PREFIX = utf8Bytes('cocoon-e2e-1 key set\0');
export const HEADER_PREFIX = utf8Bytes('cocoon-e2e-1 header\0');
export const RECEIPT_PREFIX = utf8Bytes('cocoon-e2e-1 receipt\0');
export const INFO_REQUEST = utf8Bytes('cocoon-e2e-1 request');
export const INFO_ANSWER = utf8Bytes('cocoon-e2e-1 answer');
export const INFO_WRAP = utf8Bytes('cocoon-e2e-1 wrap');
/** AES-GCM nonce of the single-use keys (request body, wrapped key): each key encrypts one message. */
export const ZERO_NONCE = new Uint8Array(12);
/** Flags bit 0 of ext.e2eAnswerChunk: the last chunk of the answer. */
export const FINAL_CHUNK_FLAG = 1;
export const CONTENT_KEY_BYTES = 32;
export const REQUEST_ID_BYTES = 32;
export const GCM_TAG_BYTES = 16;

/** Byte concatenation: the one the proto-3 encryption uses. */
export { concatenate as concatBytes } from '../encryption/encryption-bytes.ts';

/** The answer chunk nonce: 8 zero bytes ‖ seq (uint32 big-endian). */
export function chunkNonce(seq: number): Uint8Array {
  const nonce = new Uint8Array(12);
  new DataView(nonce.buffer).setUint32(8, seq >>> 0, false);
  return nonce;
}

/** The answer chunk AAD: headerHash ‖ seq (uint32 big-endian) ‖ final (one byte, 0 or 1). */
export function chunkAad(headerHash: Uint8Array, seq: number, final: boolean): Uint8Array {
  const aad = new Uint8Array(headerHash.length + 5);
  aad.set(headerHash, 0);
  const view = new DataView(aad.buffer);
  view.setUint32(headerHash.length, seq >>> 0, false);
  aad[headerHash.length + 4] = final ? 1 : 0;
  return aad;
}

export function bytesEqual(left: Uint8Array, right: Uint8Array): boolean {
  if (left.length !== right.length) return false;
  for (let index = 0; index < left.length; index++) if (left[index] !== right[index]) return false;
  return true;
}

/** Lower-case hex of a key or id (map keys). */
export function hexId(bytes: Uint8Array): string {
  return toHex(bytes);
}

/** The routed name of a model: text before `@` of `name@revision:hash` (same rule as wire/model-name.ts). */
export function e2eModelBaseName(fullName: string): string {
  const at = fullName.indexOf('@');
  return at === -1 ? fullName : fullName.slice(0, at);
}
