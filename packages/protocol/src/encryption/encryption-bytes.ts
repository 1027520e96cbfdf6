/**
 * Byte helpers of the proto-3 request encryption, browser-safe (Uint8Array only, no Node
 * built-ins): lower-case hex, strict standard base64 (with `=`), UTF-8 both ways (decoding is
 * fatal: a decrypted value that is not UTF-8 is refused, never mangled), constant-time equality,
 * and the injectable randomness every encryption takes.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';

/** Source of secure random bytes: `length` fresh bytes per call (tests inject a fixed stream). */
export type RandomBytes = (length: number) => Uint8Array;

/** The platform's CSPRNG (WebCrypto `crypto.getRandomValues`, in browsers and Node alike). */
export const systemRandomBytes: RandomBytes = (length) => globalThis.crypto.getRandomValues(new Uint8Array(length));

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function utf8Bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

/** UTF-8 text of `bytes`; undefined when they are not valid UTF-8. */
export function utf8TextOrUndefined(bytes: Uint8Array): string | undefined {
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

export function toHex(bytes: Uint8Array): string {
  return bytesToHex(bytes);
}

const HEX_TEXT = /^(?:[0-9a-fA-F]{2})*$/;

/** Bytes of an even-length hex text (either case); undefined for anything else. */
export function fromHexOrUndefined(text: string): Uint8Array | undefined {
  return HEX_TEXT.test(text) ? hexToBytes(text) : undefined;
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

const BASE64_TEXT = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Bytes of a standard, padded base64 text; undefined for anything else. */
export function fromBase64OrUndefined(text: string): Uint8Array | undefined {
  if (!BASE64_TEXT.test(text)) return undefined;
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

/** Equality in time independent of where the inputs differ (MACs, keys). */
export function constantTimeEqual(left: Uint8Array, right: Uint8Array): boolean {
  if (left.length !== right.length) return false;
  let difference = 0;
  for (let index = 0; index < left.length; index++) difference |= (left[index] as number) ^ (right[index] as number);
  return difference === 0;
}

export function isAllZero(bytes: Uint8Array): boolean {
  let bits = 0;
  for (const byte of bytes) bits |= byte;
  return bits === 0;
}

export function concatenate(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
