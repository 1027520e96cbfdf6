/**
 * node:crypto's native SHA-256, HMAC and AES-256-CBC as the proto-3 encryption's primitives (§20):
 * byte-identical to the @noble default, several times faster per encrypted string. Node runners that
 * encrypt or decrypt (the worker) install them once with `useNodeEncryptionPrimitives()`; the
 * encryption module itself stays free of Node built-ins so it runs in browsers.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac } from 'node:crypto';
import { setEncryptionPrimitives, type EncryptionPrimitives } from '../encryption/encryption-primitives.ts';

function bytes(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function cbc(mode: 'encrypt' | 'decrypt', key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  const cipher = mode === 'encrypt' ? createCipheriv('aes-256-cbc', key, iv) : createDecipheriv('aes-256-cbc', key, iv);
  cipher.setAutoPadding(false);
  return bytes(Buffer.concat([cipher.update(data), cipher.final()]));
}

export const nodeEncryptionPrimitives: EncryptionPrimitives = {
  name: 'node:crypto',
  sha256: (data) => bytes(createHash('sha256').update(data).digest()),
  hmacSha256: (key, data) => bytes(createHmac('sha256', key).update(data).digest()),
  hmacSha512: (key, data) => bytes(createHmac('sha512', key).update(data).digest()),
  aes256CbcEncrypt: (key, iv, data) => cbc('encrypt', key, iv, data),
  aes256CbcDecrypt: (key, iv, data) => cbc('decrypt', key, iv, data),
};

/** Installs the native primitives for this process (idempotent). */
export function useNodeEncryptionPrimitives(): void {
  setEncryptionPrimitives(nodeEncryptionPrimitives);
}
