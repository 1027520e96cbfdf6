/**
 * Peer verification of an SEV-SNP RA-TLS certificate (the reference's DefaultPolicy::validate for
 * sev): generic certificate checks; the three critical SEV extensions; SEV_REPORT_DATA ==
 * SHA-512(certificate key) == the report's REPORT_DATA; the report verified (VCEK, chain, CRL, TCB);
 * then ours on top of the reference: a guest whose policy allows debugging is refused unless the
 * verifier was built with allowDebug (test networks only); finally the reference's allow-lists of
 * measurements and image hashes (empty = any). Browser-safe: the portable verifier runs it too.
 */
import { sha512 } from '@noble/hashes/sha2.js';
import { CocoonError } from '@cocoon/protocol/browser';
import type { ParsedCertificate } from '../certificate/certificate-reader.ts';
import { computeSevSnpImageHash, hasTdxExtensions, readSevSnpEvidence } from '../sev-snp/sev-snp-extensions.ts';
import { formatTcb, type SevSnpReportVerifier } from '../sev-snp/sev-snp-report-verifier.ts';
import { checkRaTlsCertificate } from './certificate-checks.ts';
import type { PeerAttestation, PeerCertificateInput, PeerVerifier } from './peer-verifier.ts';

export interface SevSnpPolicyOptions {
  /** When non-empty, the report's MEASUREMENT (48 bytes) must be one of these. */
  allowedMeasurements?: readonly Buffer[];
  /** When non-empty, the SEV image hash must be one of these. */
  allowedImageHashes?: readonly Buffer[];
  /** Accept guests whose policy has the DEBUG bit (createAttestationVerifier allows it on test networks only). */
  allowDebug?: boolean;
}

const policyError = (message: string): CocoonError => new CocoonError('CCN_ERR_ATTEST_POLICY', message);

export class SevSnpPolicyVerifier implements PeerVerifier {
  private readonly allowedMeasurements: ReadonlySet<string>;
  private readonly allowedImageHashes: ReadonlySet<string>;

  constructor(readonly policy: string, private readonly reports: SevSnpReportVerifier, private readonly options: SevSnpPolicyOptions = {}) {
    this.allowedMeasurements = new Set((options.allowedMeasurements ?? []).map((value) => value.toString('hex')));
    this.allowedImageHashes = new Set((options.allowedImageHashes ?? []).map((value) => value.toString('hex')));
  }

  async verify(peer: PeerCertificateInput, now: Date): Promise<PeerAttestation> {
    return this.verifyCertificate(checkRaTlsCertificate(peer.certificateDer, now), now);
  }

  /** For a certificate already through the generic checks. */
  async verifyCertificate(certificate: ParsedCertificate, now: Date): Promise<PeerAttestation> {
    if (hasTdxExtensions(certificate)) {
      throw new CocoonError('CCN_ERR_ATTEST_BAD_CERTIFICATE', 'peer certificate carries both TDX and SEV-SNP extensions; they are mutually exclusive');
    }
    const evidence = readSevSnpEvidence(certificate, this.policy);
    const expected = Buffer.from(sha512(certificate.publicKey));
    if (!evidence.reportData.equals(expected)) {
      throw policyError('SEV_REPORT_DATA is not SHA-512 of the certificate public key (evidence not bound to this TLS key)');
    }
    const verified = await this.reports.verify(evidence.report, evidence.vcek, now);
    const { report } = verified;
    if (!report.reportData.equals(evidence.reportData)) {
      throw policyError("the SEV-SNP report's REPORT_DATA is not SHA-512 of the certificate key (report not bound to this TLS key)");
    }
    if (report.policy.debug && !this.options.allowDebug) {
      throw policyError(`SEV-SNP guest policy 0x${report.policy.raw.toString(16)} allows debugging (DEBUG, bit 19): the host can read the guest's memory; refused`);
    }
    const measurement = report.measurement.toString('hex');
    if (this.allowedMeasurements.size > 0 && !this.allowedMeasurements.has(measurement)) {
      throw policyError(`SEV-SNP measurement ${measurement} is not allowed by policy ${this.policy}`);
    }
    const imageHash = computeSevSnpImageHash(report.measurement);
    if (this.allowedImageHashes.size > 0 && !this.allowedImageHashes.has(imageHash.toString('hex'))) {
      throw policyError(`peer image hash ${imageHash.toString('hex')} is not allowed by policy ${this.policy}`);
    }
    const rootName = verified.trustName === 'AMD' ? `AMD SEV-SNP ARK (${verified.product})` : `COCOON dev SEV-SNP authority (${verified.product}, test network)`;
    return {
      policy: this.policy,
      publicKey: Buffer.from(certificate.publicKey),
      imageHash,
      tee: 'sev-snp',
      authority: `${rootName} sha256:${verified.arkSha256.slice(0, 16)}`,
      tcbStatus: `SEV-SNP ${verified.product} (${verified.trustName} chain) TCB ${formatTcb(verified.reportedTcb)}`,
      sevSnp: {
        measurement: Buffer.from(report.measurement),
        reportVersion: report.version,
        product: verified.product,
        guestPolicy: report.policy.raw,
        debug: report.policy.debug,
        vmpl: report.vmpl,
        reportedTcb: verified.reportedTcb,
        chipId: Buffer.from(report.chipId),
        trust: verified.trustName,
      },
    };
  }
}
