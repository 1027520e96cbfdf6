/**
 * Builds a worker's end-to-end key evidence (docs/e2e design, §22): `ext.e2eEvidence{certificate = DER of
 * the worker's current RA-TLS certificate, key_set = ext.e2eKeySet{certificate_public_key, issued_at, keys},
 * signature}` where the signature is Ed25519 by the certificate's own key (the key the TEE quote inside the
 * certificate binds through its report data) over keySetSignedMessage(key_set). The quote vouches for the
 * certificate key, the certificate key vouches for the HPKE and receipt-signing keys: nobody outside the
 * attested worker can publish a key set under that certificate.
 */
import { createPrivateKey, sign } from 'node:crypto';
import { CocoonError, keySetSignedMessage } from '@cocoon/protocol';
import type { E2eKeyPair, ExtE2eEvidence, ExtE2eKey, ExtE2eKeySet } from '@cocoon/protocol';
import type { SelfSignedCertificate } from '../certificate/certificate-generator.ts';

/** One published key: its pair (only the public halves leave the worker) and its validity, unix seconds. */
export interface E2eKeyEntry {
  readonly pair: E2eKeyPair;
  readonly validFrom: number;
  readonly validUntil: number;
}

export interface E2eEvidenceInput {
  /** The worker's current RA-TLS certificate (RefreshingCertificate.current()). */
  certificate: SelfSignedCertificate;
  /** The worker's full model string `name@revision:hash` (what the root's model_hashes hash). */
  model: string;
  keys: readonly E2eKeyEntry[];
  /** Unix seconds. */
  issuedAt: number;
}

/** The evidence of `input`, signed with the certificate's private key. */
export function issueE2eEvidence(input: E2eEvidenceInput): ExtE2eEvidence {
  const { certificate } = input;
  if (input.keys.length === 0) throw new CocoonError('CCN_ERR_E2E_EVIDENCE_INVALID', 'an e2e key set needs at least one key');
  const keys: ExtE2eKey[] = input.keys.map((entry) => ({
    _: 'ext.e2eKey',
    hpke_public_key: Buffer.from(entry.pair.hpkePublicKey),
    signing_public_key: Buffer.from(entry.pair.signingPublicKey),
    model: input.model,
    valid_from: entry.validFrom,
    valid_until: entry.validUntil,
  }));
  const keySet: ExtE2eKeySet = { _: 'ext.e2eKeySet', certificate_public_key: Buffer.from(certificate.publicKey), issued_at: input.issuedAt, keys };
  const signature = sign(null, keySetSignedMessage(keySet), createPrivateKey(certificate.privateKeyPem));
  return { _: 'ext.e2eEvidence', certificate: Buffer.from(certificate.certificateDer), key_set: keySet, signature };
}

/** The certificate a worker holds now (a RefreshingCertificate fits). */
export interface CurrentCertificateSource {
  current(): SelfSignedCertificate;
}

/** Issues evidence over whatever certificate the source holds at call time (it changes on refresh). */
export class E2eEvidenceIssuer {
  constructor(private readonly certificates: CurrentCertificateSource) {}

  issue(fields: Omit<E2eEvidenceInput, 'certificate'>): ExtE2eEvidence {
    return issueE2eEvidence({ ...fields, certificate: this.certificates.current() });
  }
}
