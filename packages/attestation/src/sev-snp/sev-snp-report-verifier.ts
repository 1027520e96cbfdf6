/**
 * Verifies one SEV-SNP report with its VCEK, as the reference's sev::RATLSVerifier does and more:
 * the report parses (v2–v5) and is signed with ECDSA P-384/SHA-384 by a VCEK (VLEK and masked chip
 * ids are refused); the VCEK chains to the pinned ARK of its product through the ASK, under a fresh
 * CRL; its hwID equals the report's CHIP_ID (prefix, as the reference compares it); its TCB (the SPL
 * extensions) equals the report's REPORTED_TCB (ours: the reference does not compare); and the
 * report signature verifies under its key. Successes are cached by SHA-256 of report ‖ VCEK.
 * Browser-safe (WebCrypto for the signatures): the runners and the portable verifier share it.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { CocoonError } from '@cocoon/protocol/browser';
import { VerificationCache } from '../dcap/verification-cache.ts';
import { verifyReportSignature } from './sev-certificate.ts';
import type { SevChainProvider } from './sev-pki-cache.ts';
import {
  SEV_SNP_SIGNATURE_ALGORITHM_ECDSA_P384_SHA384,
  decodeTcbVersion,
  parseSevSnpReport,
  type SevSnpReport,
  type SevSnpTcbVersion,
} from './sev-snp-report.ts';
import { sha256Hex, verifyVcekAgainstChain } from './sev-trust-chain.ts';
import { readVcekCertificate, tcbLayoutOf, type SevProduct, type VcekCertificate } from './vcek-certificate.ts';

export const DEFAULT_SEV_SNP_CACHE_SIZE = 10_000;

export interface VerifiedSevSnpReport {
  readonly report: SevSnpReport;
  readonly vcek: VcekCertificate;
  readonly product: SevProduct;
  readonly reportedTcb: SevSnpTcbVersion;
  /** 'AMD' or 'dev'. */
  readonly trustName: string;
  /** SHA-256 (hex) of the DER of the pinned ARK the VCEK chains to. */
  readonly arkSha256: string;
}

export interface SevSnpReportVerifierOptions {
  chains: SevChainProvider;
  /** Verified reports kept (by SHA-256 of report ‖ VCEK); default 10 000, 0 = none. */
  cacheSize?: number;
}

const invalid = (message: string): CocoonError => new CocoonError('CCN_ERR_ATTEST_QUOTE_INVALID', message);

export function formatTcb(tcb: SevSnpTcbVersion): string {
  return `${tcb.fmc === undefined ? '' : `fmc=${tcb.fmc} `}bl=${tcb.bootLoader} tee=${tcb.tee} snp=${tcb.snp} ucode=${tcb.microcode}`;
}

function sameTcb(left: SevSnpTcbVersion, right: SevSnpTcbVersion): boolean {
  return left.bootLoader === right.bootLoader && left.tee === right.tee && left.snp === right.snp && left.microcode === right.microcode && (left.fmc ?? 0) === (right.fmc ?? 0);
}

export class SevSnpReportVerifier {
  readonly kind = 'sev-snp';
  private readonly cache: VerificationCache<VerifiedSevSnpReport>;

  constructor(private readonly options: SevSnpReportVerifierOptions) {
    this.cache = new VerificationCache(options.cacheSize ?? DEFAULT_SEV_SNP_CACHE_SIZE);
  }

  get trustName(): string {
    return this.options.chains.trustName;
  }

  get cachedReports(): number {
    return this.cache.size;
  }

  /** Verifies at `now`; rejects with CCN_ERR_ATTEST_QUOTE_INVALID / _COLLATERAL / _TCB_STATUS. */
  async verify(reportBytes: Buffer, vcekBytes: Buffer | string, now: Date): Promise<VerifiedSevSnpReport> {
    const vcekBuffer = Buffer.isBuffer(vcekBytes) ? vcekBytes : Buffer.from(vcekBytes, 'latin1');
    const key = Buffer.from(sha256.create().update(reportBytes).update(vcekBuffer).digest()).toString('hex');
    const cached = this.cache.get(key, now);
    if (cached) {
      await this.options.chains.verifiedChain(cached.product, now); // the chain must still be current (CRL, revocation)
      return cached;
    }
    const report = parseSevSnpReport(reportBytes);
    if (report.signatureAlgorithm !== SEV_SNP_SIGNATURE_ALGORITHM_ECDSA_P384_SHA384) {
      throw invalid(`SEV-SNP report signature algorithm ${report.signatureAlgorithm} is not ECDSA P-384 with SHA-384 (1)`);
    }
    if (report.signingKey !== 'vcek') {
      throw invalid(`SEV-SNP report is signed with the ${report.signingKey.toUpperCase()} key; only VCEK-signed reports are accepted`);
    }
    if (report.maskChipKey || report.chipId.every((byte) => byte === 0)) {
      throw invalid('SEV-SNP report has a masked (zero) CHIP_ID, so it cannot be bound to a VCEK');
    }
    const vcek = readVcekCertificate(vcekBuffer);
    const chain = await this.options.chains.verifiedChain(vcek.product, now);
    await verifyVcekAgainstChain(vcek, chain, now);
    if (!report.chipId.subarray(0, vcek.hardwareId.length).equals(vcek.hardwareId)) {
      throw invalid(`VCEK hwID ${vcek.hardwareId.subarray(0, 8).toString('hex')}… does not match the report's CHIP_ID ${report.chipId.subarray(0, 8).toString('hex')}… (a VCEK of another chip)`);
    }
    const reportedTcb = decodeTcbVersion(report.reportedTcb, tcbLayoutOf(vcek.product));
    if (!sameTcb(reportedTcb, vcek.tcb)) {
      throw new CocoonError('CCN_ERR_ATTEST_TCB_STATUS', `VCEK was issued for TCB ${formatTcb(vcek.tcb)} but the report's REPORTED_TCB is ${formatTcb(reportedTcb)}`);
    }
    if (!(await verifyReportSignature(vcek.parsed.subjectPublicKeyInfo, report.signedBytes, report.signature))) {
      throw invalid('SEV-SNP report signature does not verify under the VCEK (report altered or signed by another key)');
    }
    const verified: VerifiedSevSnpReport = { report, vcek, product: vcek.product, reportedTcb, trustName: this.trustName, arkSha256: sha256Hex(chain.ark.der) };
    this.cache.set(key, verified, new Date(Math.min(chain.usableUntil.getTime(), vcek.parsed.notAfter.getTime())));
    return verified;
  }
}
