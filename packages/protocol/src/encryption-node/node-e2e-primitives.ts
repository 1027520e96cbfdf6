/**
 * node:crypto's native SHA-256, HKDF, AES-256-GCM, Ed25519 and CSPRNG as the end-to-end encryption's
 * primitives (docs/protocol.md §22): byte-identical to the @noble default (tested), several times
 * faster (HKDF is node's hkdfSync). Node runners (worker, client) install them once with `useNodeE2ePrimitives()`; the e2e module
 * itself stays free of Node built-ins so it runs in browsers.
 */
import {
  createCipheriv, createDecipheriv, createHash, createPrivateKey, hkdfSync, createPublicKey, randomBytes, sign, verify,
} from 'node:crypto';
import type { Hash, KeyObject } from 'node:crypto';
import { setE2ePrimitives, type E2ePrimitives, type E2eSha256Hasher } from '../e2e/e2e-primitives.ts';

function bytes(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** DER prefixes of an Ed25519 PKCS#8 private key (seed follows) and SPKI public key (key follows). */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const KEY_OBJECT_CACHE_LIMIT = 256;

/** Bounded memo of KeyObjects by raw key bytes (importing a key costs more than a signature). */
class KeyObjectMemo {
  private readonly objects = new Map<string, KeyObject>();
  constructor(private readonly create: (raw: Buffer) => KeyObject) {}
  get(raw: Uint8Array): KeyObject {
    const id = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('hex');
    let object = this.objects.get(id);
    if (object === undefined) {
      object = this.create(Buffer.from(raw));
      if (this.objects.size >= KEY_OBJECT_CACHE_LIMIT) this.objects.delete(this.objects.keys().next().value as string);
      this.objects.set(id, object);
    }
    return object;
  }
}

const privateKeys = new KeyObjectMemo((seed) => {
  if (seed.length !== 32) throw new RangeError('an Ed25519 private key is 32 bytes');
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
});
const publicKeys = new KeyObjectMemo((key) => createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, key]), format: 'der', type: 'spki' }));

/** HKDF-SHA256 (RFC 5869) from node:crypto itself. */
function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', ikm, salt, info, length));
}

class NodeSha256Hasher implements E2eSha256Hasher {
  private readonly hash: Hash = createHash('sha256');
  update(data: Uint8Array): E2eSha256Hasher {
    this.hash.update(data);
    return this;
  }
  peek(): Uint8Array {
    return bytes(this.hash.copy().digest());
  }
}

export const nodeE2ePrimitives: E2ePrimitives = {
  name: 'node:crypto',
  sha256: (data) => bytes(createHash('sha256').update(data).digest()),
  createSha256: () => new NodeSha256Hasher(),
  hkdfSha256,
  aes256GcmSeal: (key, nonce, aad, plaintext) => {
    const cipher = createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(aad);
    return bytes(Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]));
  },
  aes256GcmOpen: (key, nonce, aad, sealed) => {
    if (sealed.length < 16) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, nonce);
      decipher.setAAD(aad);
      decipher.setAuthTag(sealed.subarray(sealed.length - 16));
      return bytes(Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]));
    } catch {
      return undefined;
    }
  },
  ed25519Sign: (privateKey, message) => bytes(sign(null, message, privateKeys.get(privateKey))),
  ed25519Verify: (signature, message, publicKey) => {
    if (signature.length !== 64 || publicKey.length !== 32) return false;
    try {
      return verify(null, message, publicKeys.get(publicKey), signature);
    } catch {
      return false;
    }
  },
  ed25519GetPublicKey: (privateKey) => {
    const der = createPublicKey(privateKeys.get(privateKey)).export({ format: 'der', type: 'spki' });
    return bytes(der.subarray(SPKI_ED25519_PREFIX.length));
  },
  randomBytes: (length) => bytes(randomBytes(length)),
};

/** Installs the native primitives for this process (idempotent). */
export function useNodeE2ePrimitives(): void {
  setE2ePrimitives(nodeE2ePrimitives);
}
