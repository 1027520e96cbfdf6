/** Object identifiers used by COCOON RA-TLS certificates (§7.2): TDX and SEV-SNP evidence, X.509 basics. */
export const CertificateOid = {
  ed25519: '1.3.101.112',
  tdxQuote: '1.3.6.1.4.1.12345.1',
  tdxUserClaims: '1.3.6.1.4.1.12345.2',
  /** SEV_REPORT_DATA: the 64-byte user claims, SHA-512 of the certificate key. */
  sevReportData: '1.3.6.1.4.1.12345.100',
  /** SEV_ATTESTATION_REPORT: the raw 1184-byte SNP report. */
  sevAttestationReport: '1.3.6.1.4.1.12345.101',
  /** SEV_VCEK: the chip's VCEK certificate (PEM as the reference writes it; DER also read). */
  sevVcek: '1.3.6.1.4.1.12345.102',
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
  CertificateOid.sevReportData,
  CertificateOid.sevAttestationReport,
  CertificateOid.sevVcek,
  CertificateOid.keyUsage,
  CertificateOid.subjectAlternativeName,
  CertificateOid.basicConstraints,
  CertificateOid.extendedKeyUsage,
  CertificateOid.subjectKeyIdentifier,
  CertificateOid.authorityKeyIdentifier,
]);
