/**
 * HPKE (RFC 9180) base mode with DHKEM(X25519, HKDF-SHA256), HKDF-SHA256 and AES-256-GCM, via
 * @hpke/core (WebCrypto): key generation and the two setups the end-to-end encryption needs — a
 * sender context to a worker key and a recipient context for an `enc`, each reduced at once to its
 * exported wrap secret (the only thing the per-request derivation uses). Both setups cost
 * milliseconds, which is why e2e-hpke-caches.ts caches them; `E2eHpkeSetup` is the seam tests count.
 */
import { Aes256Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';
import { HPKE_EXPORT_WRAP, HPKE_INFO } from './e2e-labels.ts';

/** The HPKE setups behind the caches (the default is {@link webCryptoHpkeSetup}). */
export interface E2eHpkeSetup {
  /** A new sender context to `recipientPublicKey`: its `enc` and the exported 32-byte wrap secret. */
  sender(recipientPublicKey: Uint8Array): Promise<{ enc: Uint8Array; secret: Uint8Array }>;
  /** The recipient context for `enc` under the key pair: the exported 32-byte wrap secret. */
  recipient(publicKey: Uint8Array, privateKey: Uint8Array, enc: Uint8Array): Promise<Uint8Array>;
}

export const HPKE_ENC_BYTES = 32;
const SECRET_BYTES = 32;

type RecipientKey = Parameters<CipherSuite['createRecipientContext']>[0]['recipientKey'];

let suite: CipherSuite | undefined;
function hpkeSuite(): CipherSuite {
  suite ??= new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes256Gcm() });
  return suite;
}

/** A fresh X25519 HPKE key pair as raw 32-byte keys. */
export async function generateHpkeKeyPair(): Promise<{ publicKey: Uint8Array; privateKey: Uint8Array }> {
  const { kem } = hpkeSuite();
  const pair = await kem.generateKeyPair();
  return {
    publicKey: new Uint8Array(await kem.serializePublicKey(pair.publicKey)),
    privateKey: new Uint8Array(await kem.serializePrivateKey(pair.privateKey)),
  };
}

/** The real setups, on the platform's WebCrypto (Node 20's globalThis.crypto or a browser's). */
export const webCryptoHpkeSetup: E2eHpkeSetup = {
  async sender(recipientPublicKey) {
    const hpke = hpkeSuite();
    const context = await hpke.createSenderContext({ recipientPublicKey: await hpke.kem.deserializePublicKey(recipientPublicKey), info: HPKE_INFO });
    return { enc: new Uint8Array(context.enc), secret: new Uint8Array(await context.export(HPKE_EXPORT_WRAP, SECRET_BYTES)) };
  },
  async recipient(publicKey, privateKey, enc) {
    const hpke = hpkeSuite();
    const recipientKey: RecipientKey = {
      publicKey: await hpke.kem.deserializePublicKey(publicKey),
      privateKey: await hpke.kem.deserializePrivateKey(privateKey),
    };
    const context = await hpke.createRecipientContext({ recipientKey, enc, info: HPKE_INFO });
    return new Uint8Array(await context.export(HPKE_EXPORT_WRAP, SECRET_BYTES));
  },
};
