/**
 * The signed key set of a worker's end-to-end evidence (§22): the message its RA-TLS certificate key
 * signs ("cocoon-e2e-1 key set\0" ‖ bare ext.e2eKeySet), building the evidence (worker side) and
 * checking its signature (client side; the certificate itself is checked by an E2eEvidenceVerifier).
 */
import { CocoonError } from '../errors/error-table.ts';
import type { ExtE2eEvidence, ExtE2eKey, ExtE2eKeySet } from '../tl/generated/cocoon-api-types.ts';
import { KEY_SET_PREFIX, bytesEqual, concatBytes } from './e2e-labels.ts';
import { e2ePrimitives } from './e2e-primitives.ts';
import { encodeE2eBare, encodeE2eBoxed, tlBytes } from './e2e-tl.ts';
import type { E2eKeyPair } from './e2e-key-pair.ts';

/** What the certificate key signs. */
export function keySetSignedMessage(keySet: ExtE2eKeySet): Uint8Array {
  return concatBytes(KEY_SET_PREFIX, encodeE2eBare<'ext.e2eKeySet'>(keySet));
}

/** Whether the evidence names `certificatePublicKey` and its signature by that key verifies. */
export function verifyKeySetSignature(evidence: ExtE2eEvidence, certificatePublicKey: Uint8Array): boolean {
  if (!bytesEqual(evidence.key_set.certificate_public_key, certificatePublicKey)) return false;
  let message: Uint8Array;
  try {
    message = keySetSignedMessage(evidence.key_set);
  } catch {
    return false;
  }
  return e2ePrimitives().ed25519Verify(evidence.signature, message, certificatePublicKey);
}

/** SHA-256 of the boxed evidence: `VerifiedE2eKey.evidenceHash`, and the key verified evidence is cached by. */
export function e2eEvidenceHash(evidence: ExtE2eEvidence): Uint8Array {
  return e2ePrimitives().sha256(encodeE2eBoxed<'ext.e2eEvidence'>(evidence));
}

/** One key of a key set: the pair's public halves, the full model string, validity in unix seconds. */
export interface E2eKeySetEntry {
  keyPair: E2eKeyPair;
  model: string;
  validFrom: number;
  validUntil: number;
}

/**
 * Worker side: the evidence for `keys`, signed with the certificate's Ed25519 private key (seed).
 * `certificate` is the DER of the RA-TLS certificate whose key that is.
 */
export function buildE2eEvidence(input: {
  certificate: Uint8Array;
  certificatePrivateKey: Uint8Array;
  issuedAt: number;
  keys: readonly E2eKeySetEntry[];
}): ExtE2eEvidence {
  const primitives = e2ePrimitives();
  const certificatePublicKey = primitives.ed25519GetPublicKey(input.certificatePrivateKey);
  const keys: ExtE2eKey[] = input.keys.map((entry) => {
    if (entry.validUntil < entry.validFrom) throw new CocoonError('CCN_ERR_INTERNAL', 'an e2e key ends before it starts');
    return {
      _: 'ext.e2eKey', hpke_public_key: tlBytes(entry.keyPair.hpkePublicKey), signing_public_key: tlBytes(entry.keyPair.signingPublicKey),
      model: entry.model, valid_from: entry.validFrom, valid_until: entry.validUntil,
    };
  });
  const keySet: ExtE2eKeySet = { _: 'ext.e2eKeySet', certificate_public_key: tlBytes(certificatePublicKey), issued_at: input.issuedAt, keys };
  const signature = primitives.ed25519Sign(input.certificatePrivateKey, keySetSignedMessage(keySet));
  return { _: 'ext.e2eEvidence', certificate: tlBytes(input.certificate), key_set: keySet, signature: tlBytes(signature) };
}
