/**
 * Policy-independent checks of a peer's RA-TLS certificate (§2.2, §7.2): present, well formed,
 * Ed25519, self-signed (depth 0) with a valid self-signature, inside its validity window, and no
 * critical extension outside the known set. Browser-safe: the self-signature is checked with the
 * shared Ed25519 primitive (strict RFC 8032; @noble in a browser, node:crypto once a runner installs
 * the native primitives, see RunnerAttestation.open).
 */
import { CocoonError, e2ePrimitives } from '@cocoon/protocol/browser';
import { CertificateOid, KNOWN_CRITICAL_EXTENSIONS } from '../certificate/certificate-oids.ts';
import { readCertificate, type ParsedCertificate } from '../certificate/certificate-reader.ts';

const ED25519_PUBLIC_KEY_LENGTH = 32;

const rejected = (message: string): CocoonError => new CocoonError('CCN_ERR_ATTEST_BAD_CERTIFICATE', message);

/** Runs every generic check and returns the parsed certificate; throws CCN_ERR_ATTEST_* otherwise. */
export function checkRaTlsCertificate(certificateDer: Buffer | undefined, now: Date): ParsedCertificate {
  if (!certificateDer || certificateDer.length === 0) {
    throw new CocoonError('CCN_ERR_ATTEST_NO_CERTIFICATE', 'peer presented no TLS certificate');
  }
  const certificate = readCertificate(certificateDer);
  if (certificate.publicKeyAlgorithmOid !== CertificateOid.ed25519 || certificate.publicKey.length !== ED25519_PUBLIC_KEY_LENGTH) {
    throw rejected(`peer certificate key is not Ed25519 (algorithm ${certificate.publicKeyAlgorithmOid})`);
  }
  if (certificate.signatureAlgorithmOid !== CertificateOid.ed25519 || certificate.tbsSignatureAlgorithmOid !== CertificateOid.ed25519) {
    throw rejected(`peer certificate is not signed with Ed25519 (algorithm ${certificate.signatureAlgorithmOid})`);
  }
  if (!certificate.issuer.equals(certificate.subject)) {
    throw rejected('peer certificate is not self-signed (issuer differs from subject; chains are not accepted)');
  }
  if (!e2ePrimitives().ed25519Verify(certificate.signature, certificate.tbsCertificate, certificate.publicKey)) {
    throw rejected('peer certificate self-signature is invalid');
  }
  const time = now.getTime();
  if (time < certificate.notBefore.getTime()) {
    throw rejected(`peer certificate is not valid before ${certificate.notBefore.toISOString()} (now ${now.toISOString()})`);
  }
  if (time > certificate.notAfter.getTime()) {
    throw rejected(`peer certificate expired at ${certificate.notAfter.toISOString()} (now ${now.toISOString()})`);
  }
  const seen = new Set<string>();
  for (const extension of certificate.extensions) {
    if (seen.has(extension.oid)) throw rejected(`peer certificate repeats extension ${extension.oid}`);
    seen.add(extension.oid);
    if (extension.critical && !KNOWN_CRITICAL_EXTENSIONS.has(extension.oid)) {
      throw rejected(`peer certificate has an unknown critical extension ${extension.oid}`);
    }
  }
  return certificate;
}
