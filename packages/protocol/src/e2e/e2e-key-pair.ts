/**
 * A worker's end-to-end key pair for one rotation (§22): the HPKE X25519 key requests are sealed to,
 * and the Ed25519 key that signs the receipts of the requests it opened. All keys are 32 raw bytes.
 */
import { e2ePrimitives } from './e2e-primitives.ts';
import { generateHpkeKeyPair } from './e2e-hpke.ts';

export interface E2eKeyPair {
  hpkePublicKey: Uint8Array;
  hpkePrivateKey: Uint8Array;
  signingPublicKey: Uint8Array;
  /** The Ed25519 seed. */
  signingPrivateKey: Uint8Array;
}

/** A fresh key pair: HPKE via WebCrypto, the signing seed from the primitives' CSPRNG. */
export async function generateE2eKeyPair(): Promise<E2eKeyPair> {
  const hpke = await generateHpkeKeyPair();
  const primitives = e2ePrimitives();
  const signingPrivateKey = primitives.randomBytes(32);
  return {
    hpkePublicKey: hpke.publicKey,
    hpkePrivateKey: hpke.privateKey,
    signingPublicKey: primitives.ed25519GetPublicKey(signingPrivateKey),
    signingPrivateKey,
  };
}
