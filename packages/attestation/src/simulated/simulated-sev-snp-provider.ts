/**
 * `tee simulated-sev-snp`: a TeeProvider that reports like an SEV-SNP guest but is rooted in the dev
 * attestation authority's SEV-SNP chain instead of AMD's. Reports are genuine 1184-byte version-5
 * structures of the simulated chip (DevSevSnpPlatform), signed by the dev VCEK; they verify only
 * under the dev ARK pin, never under AMD's. The report builder is exported for tests that forge.
 */
import { createHash } from 'node:crypto';
import { CocoonError } from '@cocoon/protocol';
import type { CertificateExtension } from '../certificate/certificate-reader.ts';
import { sevSnpCertificateExtensions } from '../sev-snp/sev-snp-extensions.ts';
import {
  SEV_SNP_REPORT_LENGTH,
  SEV_SNP_SIGNATURE_ALGORITHM_ECDSA_P384_SHA384,
  SEV_SNP_SIGNED_LENGTH,
  SevSnpReportOffset,
  encodeTcbVersion,
  writeSevSnpSignature,
  type SevSnpTcbVersion,
} from '../sev-snp/sev-snp-report.ts';
import type { TeeProvider } from '../tee/tee-provider.ts';
import type { DevSevSnpAuthority } from './dev-sev-snp-authority.ts';
import { DevSevSnpPlatform } from './dev-sev-snp-platform.ts';

export interface SevSnpReportFields {
  measurement: Buffer;
  reportData: Buffer;
  version?: number;
  guestPolicy?: bigint;
  vmpl?: number;
  /** Flags word at 0x48 (bit 1 MASK_CHIP_KEY, bits 4:2 SIGNING_KEY); default 0 (VCEK). */
  flags?: number;
  signatureAlgorithm?: number;
  tcb?: SevSnpTcbVersion;
  chipId?: Buffer;
  hostData?: Buffer;
}

/** An unsigned report of the simulated chip (signature fields zero). */
export function buildSevSnpReport(fields: SevSnpReportFields): Buffer {
  if (fields.measurement.length !== 48) throw new RangeError(`SEV-SNP measurement must be 48 bytes, got ${fields.measurement.length}`);
  if (fields.reportData.length !== 64) throw new RangeError(`SEV-SNP report data must be 64 bytes, got ${fields.reportData.length}`);
  const report = Buffer.alloc(SEV_SNP_REPORT_LENGTH);
  const version = fields.version ?? DevSevSnpPlatform.reportVersion;
  const tcb = encodeTcbVersion(fields.tcb ?? DevSevSnpPlatform.tcb, 'v0');
  report.writeUInt32LE(version, SevSnpReportOffset.version);
  report.writeBigUInt64LE(fields.guestPolicy ?? DevSevSnpPlatform.guestPolicy, SevSnpReportOffset.policy);
  report.writeUInt32LE(fields.vmpl ?? 0, SevSnpReportOffset.vmpl);
  report.writeUInt32LE(fields.signatureAlgorithm ?? SEV_SNP_SIGNATURE_ALGORITHM_ECDSA_P384_SHA384, SevSnpReportOffset.signatureAlgorithm);
  report.writeBigUInt64LE(tcb, SevSnpReportOffset.currentTcb);
  report.writeBigUInt64LE(DevSevSnpPlatform.platformInfo, SevSnpReportOffset.platformInfo);
  report.writeUInt32LE(fields.flags ?? 0, SevSnpReportOffset.flags);
  fields.reportData.copy(report, SevSnpReportOffset.reportData);
  fields.measurement.copy(report, SevSnpReportOffset.measurement);
  (fields.hostData ?? Buffer.alloc(32)).copy(report, SevSnpReportOffset.hostData);
  createHash('sha256').update(fields.reportData).update('cocoon-dev report id').digest().copy(report, SevSnpReportOffset.reportId);
  report.writeBigUInt64LE(tcb, SevSnpReportOffset.reportedTcb);
  if (version >= 3) {
    report[SevSnpReportOffset.cpuidFamily] = DevSevSnpPlatform.cpuid.family;
    report[SevSnpReportOffset.cpuidModel] = DevSevSnpPlatform.cpuid.model;
    report[SevSnpReportOffset.cpuidStepping] = DevSevSnpPlatform.cpuid.stepping;
  }
  (fields.chipId ?? DevSevSnpPlatform.chipId).copy(report, SevSnpReportOffset.chipId);
  report.writeBigUInt64LE(tcb, SevSnpReportOffset.committedTcb);
  const { build, minor, major } = DevSevSnpPlatform.firmware;
  report.set([build, minor, major, 0, build, minor, major, 0], SevSnpReportOffset.currentVersion);
  report.writeBigUInt64LE(tcb, SevSnpReportOffset.launchTcb);
  return report;
}

/** Signs a report in place with the dev VCEK and returns it. */
export function signSevSnpReport(report: Buffer, sign: (signedBytes: Buffer) => Buffer): Buffer {
  writeSevSnpSignature(report, sign(report.subarray(0, SEV_SNP_SIGNED_LENGTH)));
  return report;
}

export interface SimulatedSevSnpProviderOptions {
  /** The SEV-SNP half of the dev attestation authority. */
  authority: DevSevSnpAuthority;
  /** The 48-byte launch measurement (measureSimulatedSevSnpRunner). */
  measurement: Buffer;
  /** Guest policy; default DevSevSnpPlatform.guestPolicy (DEBUG off). */
  guestPolicy?: bigint;
}

export class SimulatedSevSnpProvider implements TeeProvider {
  readonly kind = 'simulated-sev-snp';
  readonly measurement: Buffer;

  constructor(private readonly options: SimulatedSevSnpProviderOptions) {
    if (options.measurement.length !== 48) {
      throw new CocoonError('CCN_ERR_CONFIG_INVALID', `simulated SEV-SNP measurement must be 48 bytes, got ${options.measurement.length}`, { param: 'tee' });
    }
    this.measurement = Buffer.from(options.measurement);
  }

  /** A signed report whose REPORT_DATA is the given 64 bytes. */
  async getReport(reportData: Buffer): Promise<Buffer> {
    if (reportData.length !== 64) throw new CocoonError('CCN_ERR_ATTEST_TEE_UNAVAILABLE', `SEV-SNP report data must be 64 bytes, got ${reportData.length}`);
    const report = buildSevSnpReport({ measurement: this.measurement, reportData, guestPolicy: this.options.guestPolicy });
    return signSevSnpReport(report, (bytes) => this.options.authority.signWithVcek(bytes));
  }

  async certificateExtensions(publicKey: Buffer): Promise<CertificateExtension[]> {
    const reportData = createHash('sha512').update(publicKey).digest();
    return sevSnpCertificateExtensions({ reportData, report: await this.getReport(reportData), vcekPem: this.options.authority.vcekPem });
  }
}
