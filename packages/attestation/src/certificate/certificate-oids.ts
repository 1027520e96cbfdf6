/** Object identifiers used by COCOON RA-TLS certificates (§7.2). */
export const CertificateOid = {
  ed25519: '1.3.101.112',
  tdxQuote: '1.3.6.1.4.1.12345.1',
  tdxUserClaims: '1.3.6.1.4.1.12345.2',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAlternativeName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extendedKeyUsage: '2.5.29.37',
} as const;

/** Critical extensions a verifier understands; any other critical extension rejects the certificate. */
export const KNOWN_CRITICAL_EXTENSIONS: ReadonlySet<string> = new Set([
  CertificateOid.tdxQuote,
  CertificateOid.tdxUserClaims,
  CertificateOid.keyUsage,
  CertificateOid.subjectAlternativeName,
  CertificateOid.basicConstraints,
  CertificateOid.extendedKeyUsage,
  CertificateOid.subjectKeyIdentifier,
  CertificateOid.authorityKeyIdentifier,
]);
