/**
 * The `any` policy (§7.3): the peer only needs a valid self-signed Ed25519 certificate; no
 * attestation is verified, so the image hash is the all-zero "empty attestation" hash (§7.1)
 * even when the certificate carries (unverified) quote extensions.
 */
import { checkRaTlsCertificate } from './certificate-checks.ts';
import { EMPTY_IMAGE_HASH } from './image-hash.ts';
import type { PeerAttestation, PeerCertificateInput, PeerVerifier } from './peer-verifier.ts';

export class AnyPolicyVerifier implements PeerVerifier {
  readonly policy = 'any';

  async verify(peer: PeerCertificateInput, now: Date): Promise<PeerAttestation> {
    const certificate = checkRaTlsCertificate(peer.certificateDer, now);
    return { policy: this.policy, publicKey: Buffer.from(certificate.publicKey), imageHash: Buffer.from(EMPTY_IMAGE_HASH) };
  }
}
