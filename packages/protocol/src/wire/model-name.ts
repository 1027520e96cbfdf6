/**
 * Model identity strings: `name@revision:hash` (§3.2, §7.6). The proxy routes by the
 * base name (text before `@`); the root contract allows SHA-256 of the full string.
 */
import { createHash } from 'node:crypto';

export function modelBaseName(fullName: string): string {
  const at = fullName.indexOf('@');
  return at === -1 ? fullName : fullName.slice(0, at);
}

export function modelHash(fullName: string): Buffer {
  return createHash('sha256').update(fullName, 'utf8').digest();
}
