/**
 * The SEV-SNP RA-TLS binding, byte-exact with the reference (tee/cocoon/sev/Tee.cpp): three critical
 * extensions SEV_REPORT_DATA (…12345.100, the 64-byte user claims = SHA-512 of the TLS Ed25519 key,
 * as for TDX), SEV_ATTESTATION_REPORT (…101, the raw report whose REPORT_DATA is those claims) and
 * SEV_VCEK (…102, the VCEK as PEM text, which is what the reference's verifier parses). The image
 * hash is SHA-256(MEASUREMENT(48) ‖ 64 zero bytes), as the reference's sev::image_hash serializes it.
 * Browser-safe (the portable verifier uses it to tell SEV-SNP evidence apart).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { CocoonError } from '@cocoon/protocol/browser';
import { CertificateOid } from '../certificate/certificate-oids.ts';
import type { CertificateExtension, ParsedCertificate } from '../certificate/certificate-reader.ts';

export const SEV_SNP_MEASUREMENT_LENGTH = 48;

export interface SevSnpEvidence {
  readonly reportData: Buffer;
  readonly report: Buffer;
  readonly vcek: Buffer;
}

/** The three critical certificate extensions of an SEV-SNP attested certificate. */
export function sevSnpCertificateExtensions(evidence: { reportData: Buffer; report: Buffer; vcekPem: string }): CertificateExtension[] {
  return [
    { oid: CertificateOid.sevReportData, critical: true, value: Buffer.from(evidence.reportData) },
    { oid: CertificateOid.sevAttestationReport, critical: true, value: Buffer.from(evidence.report) },
    { oid: CertificateOid.sevVcek, critical: true, value: Buffer.from(evidence.vcekPem, 'latin1') },
  ];
}

/** Whether a certificate carries any SEV-SNP extension. */
export function hasSevSnpExtensions(certificate: ParsedCertificate): boolean {
  const oids: readonly string[] = [CertificateOid.sevReportData, CertificateOid.sevAttestationReport, CertificateOid.sevVcek];
  return certificate.extensions.some((extension) => oids.includes(extension.oid));
}

/** Whether a certificate carries any TDX extension. */
export function hasTdxExtensions(certificate: ParsedCertificate): boolean {
  return certificate.extensions.some((extension) => extension.oid === CertificateOid.tdxQuote || extension.oid === CertificateOid.tdxUserClaims);
}

/** Reads the three extensions; each must be present and critical (CCN_ERR_ATTEST_POLICY otherwise). */
export function readSevSnpEvidence(certificate: ParsedCertificate, policy: string): SevSnpEvidence {
  const take = (oid: string, name: string): Buffer => {
    const extension = certificate.extensions.find((item) => item.oid === oid);
    if (!extension) throw new CocoonError('CCN_ERR_ATTEST_POLICY', `policy ${policy}: the peer certificate has SEV-SNP evidence but lacks ${name} (${oid})`);
    if (!extension.critical) throw new CocoonError('CCN_ERR_ATTEST_POLICY', `attestation extension ${name} must be critical`);
    return extension.value;
  };
  return {
    reportData: take(CertificateOid.sevReportData, 'SEV_REPORT_DATA'),
    report: take(CertificateOid.sevAttestationReport, 'SEV_ATTESTATION_REPORT'),
    vcek: take(CertificateOid.sevVcek, 'SEV_VCEK'),
  };
}

/** The image hash of an SEV-SNP guest (what the root contract lists). */
export function computeSevSnpImageHash(measurement: Buffer): Buffer {
  if (measurement.length !== SEV_SNP_MEASUREMENT_LENGTH) throw new RangeError(`SEV-SNP measurement must be ${SEV_SNP_MEASUREMENT_LENGTH} bytes, got ${measurement.length}`);
  return Buffer.from(sha256.create().update(measurement).update(new Uint8Array(64)).digest());
}
