/**
 * The private encryption keys a proxy (or worker) holds, as the key manager hands them out
 * (`keyManager.privateKey valid_until_utime private_key`): looked up by the Ed25519 public key an
 * encrypted request names (`client.runQueryEx.public_key`). `replace` swaps the whole set (each poll
 * returns every currently valid key); expired keys are never returned. Browser-safe like the rest
 * of the encryption module; the keys never leave it except through `privateKeyFor`.
 */
import { toHex } from './encryption-bytes.ts';
import { ENCRYPTION_KEY_BYTES, ed25519PublicKeyOf } from './shared-secret.ts';

export interface EncryptionPrivateKey {
  /** The 32-byte Ed25519 private seed. */
  privateKey: Uint8Array;
  /** Unix seconds after which the key is no longer used. */
  validUntilUtime: number;
}

interface HeldKey {
  privateKey: Uint8Array;
  validUntilUtime: number;
}

export class EncryptionKeyRing {
  #byPublicKey = new Map<string, HeldKey>();

  /** Replaces every key held by `keys` (malformed entries are skipped: a wrong length is not a key). */
  replace(keys: ReadonlyArray<EncryptionPrivateKey>): void {
    const next = new Map<string, HeldKey>();
    for (const key of keys) {
      if (key.privateKey.length !== ENCRYPTION_KEY_BYTES || !Number.isFinite(key.validUntilUtime)) continue;
      const privateKey = Uint8Array.from(key.privateKey);
      next.set(toHex(ed25519PublicKeyOf(privateKey)), { privateKey, validUntilUtime: key.validUntilUtime });
    }
    this.#byPublicKey = next;
  }

  /** The private key whose public key is `publicKey`, while `nowSeconds` is before its end of validity. */
  privateKeyFor(publicKey: Uint8Array, nowSeconds: number): Uint8Array | undefined {
    if (publicKey.length !== ENCRYPTION_KEY_BYTES) return undefined;
    const held = this.#byPublicKey.get(toHex(publicKey));
    if (held === undefined || nowSeconds >= held.validUntilUtime) return undefined;
    return Uint8Array.from(held.privateKey);
  }

  /** How many keys are held (expired ones included until the next replace). */
  get size(): number {
    return this.#byPublicKey.size;
  }

  /** The public keys held with their end of validity (hex), for stats pages; never the private keys. */
  publicKeys(): Array<{ publicKey: string; validUntilUtime: number }> {
    return [...this.#byPublicKey.entries()].map(([publicKey, held]) => ({ publicKey, validUntilUtime: held.validUntilUtime }));
  }
}
