/**
 * Binding of a TLS key to a TDX quote (§7.2): REPORTDATA = SHA-512(public key), and the two
 * critical RA-TLS extensions TDX_QUOTE (raw quote) and TDX_USER_CLAIMS (the public key).
 */
import { createHash } from 'node:crypto';
import { CertificateOid } from '../certificate/certificate-oids.ts';
import type { CertificateExtension } from '../certificate/certificate-reader.ts';

/** The 64-byte REPORTDATA that binds a quote to a certificate key. */
export function reportDataForPublicKey(publicKey: Buffer): Buffer {
  return createHash('sha512').update(publicKey).digest();
}

export function quoteCertificateExtensions(quote: Buffer, publicKey: Buffer): CertificateExtension[] {
  return [
    { oid: CertificateOid.tdxQuote, critical: true, value: Buffer.from(quote) },
    { oid: CertificateOid.tdxUserClaims, critical: true, value: Buffer.from(publicKey) },
  ];
}
