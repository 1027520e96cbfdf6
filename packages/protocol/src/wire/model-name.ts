/**
 * Model identity strings: `name@revision:hash` (§3.2, §7.6). The proxy routes by the
 * base name (text before `@`); the root contract allows SHA-256 of the full string.
 * Portable (@noble/hashes, no Node built-in): the browser entry exports modelBaseName.
 */
import { sha256 } from '@noble/hashes/sha2.js';

export function modelBaseName(fullName: string): string {
  const at = fullName.indexOf('@');
  return at === -1 ? fullName : fullName.slice(0, at);
}

/** SHA-256 of the UTF-8 bytes of the full model string. */
export function modelHash(fullName: string): Buffer {
  const digest = sha256(new TextEncoder().encode(fullName));
  return Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength);
}
