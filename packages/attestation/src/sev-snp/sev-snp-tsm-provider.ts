/**
 * `tee sev-snp`: SEV-SNP evidence from a real guest through Linux configfs-tsm (provider
 * `sev_guest`, kernel ≥ 6.7; /dev/sev-guest underneath), and the chip's VCEK to embed. The VCEK is
 * taken from the host-supplied certificate table (`auxblob`, GUID 63da758d-…), else from a file
 * (the reference's /etc/tee/sev/vcek.pem, PEM or DER), else fetched from AMD KDS for the report's
 * CHIP_ID and REPORTED_TCB. Each new VCEK is checked against a report before use (hwID, TCB,
 * signature), as the reference's make_tee does; it is kept until the reported TCB changes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { CocoonError } from '@cocoon/protocol';
import type { CertificateExtension } from '../certificate/certificate-reader.ts';
import { requestTsmReport } from '../tee/configfs-tsm-request.ts';
import type { TeeProvider } from '../tee/tee-provider.ts';
import { nodeTsmFileSystem, type TsmFileSystem } from '../tee/tsm-file-system.ts';
import type { AmdKdsClient } from './amd-kds-client.ts';
import { verifyReportSignature } from './sev-certificate.ts';
import { sevSnpCertificateExtensions } from './sev-snp-extensions.ts';
import { decodeTcbVersion, parseSevSnpReport, type SevSnpReport } from './sev-snp-report.ts';
import { certificatePem, readVcekCertificate, tcbLayoutOf, type SevProduct, type VcekCertificate } from './vcek-certificate.ts';

export const DEFAULT_SEV_VCEK_PATH = '/etc/tee/sev/vcek.pem';
const SEV_GUEST_PROVIDER = 'sev_guest';
/** EFI GUID 63da758d-e664-4564-adc5-f4b93be8accd in its in-memory (mixed-endian) form. */
const VCEK_TABLE_GUID = Buffer.from('8d75da6364e66445adc5f4b93be8accd', 'hex');

export interface SevSnpTsmProviderOptions {
  reportRoot?: string;
  maxAttempts?: number;
  fileSystem?: TsmFileSystem;
  requestName?: () => string;
  /** A VCEK file (PEM or DER); default /etc/tee/sev/vcek.pem, '' = none. */
  vcekPath?: string;
  /** Reads the VCEK file; default node:fs readFile (ENOENT = no file). */
  readVcekFile?: (path: string) => Promise<Buffer>;
  /** AMD KDS for the VCEK when neither the host nor a file supplies it. */
  kds?: AmdKdsClient;
  now?: () => Date;
}

const unavailable = (message: string, cause?: unknown): CocoonError =>
  new CocoonError('CCN_ERR_ATTEST_TEE_UNAVAILABLE', message, cause === undefined ? {} : { cause });

/** The VCEK entry of an SNP extended-report certificate table, if present. */
export function vcekFromCertificateTable(table: Buffer): Buffer | undefined {
  for (let offset = 0; offset + 24 <= table.length; offset += 24) {
    const guid = table.subarray(offset, offset + 16);
    if (guid.every((byte) => byte === 0)) return undefined;
    if (!guid.equals(VCEK_TABLE_GUID)) continue;
    const start = table.readUInt32LE(offset + 16);
    const length = table.readUInt32LE(offset + 20);
    if (start + length > table.length || length === 0) throw unavailable('SEV-SNP certificate table: the VCEK entry points outside the table');
    return Buffer.from(table.subarray(start, start + length));
  }
  return undefined;
}

/** The KDS product of a report's CPUID (versions ≥ 3): family 19h model 0xh Milan, 1xh/Axh Genoa; 1Ah Turin. */
export function productFromCpuid(report: SevSnpReport): SevProduct {
  const cpuid = report.cpuid;
  if (cpuid && cpuid.family === 0x19 && cpuid.model >> 4 === 0x0) return 'Milan';
  if (cpuid && cpuid.family === 0x19 && (cpuid.model >> 4 === 0x1 || cpuid.model >> 4 === 0xa)) return 'Genoa';
  if (cpuid && cpuid.family === 0x1a && cpuid.model >> 4 <= 0x1) return 'Turin';
  throw unavailable(`cannot tell the SEV-SNP product from the report's CPUID (${cpuid ? `family ${cpuid.family.toString(16)}h model ${cpuid.model.toString(16)}h` : 'version 2: none'}); supply the VCEK file`);
}

export class SevSnpTsmProvider implements TeeProvider {
  readonly kind = 'sev-snp';
  private readonly options: Required<Omit<SevSnpTsmProviderOptions, 'kds'>> & { kds: AmdKdsClient | undefined };
  private vcek: { key: string; certificate: VcekCertificate } | undefined;

  constructor(options: SevSnpTsmProviderOptions = {}) {
    const maxAttempts = options.maxAttempts ?? 3;
    if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1) {
      throw new CocoonError('CCN_ERR_CONFIG_INVALID', `configfs-tsm maxAttempts must be a positive integer, got ${maxAttempts}`, { param: 'maxAttempts' });
    }
    this.options = {
      reportRoot: options.reportRoot ?? '/sys/kernel/config/tsm/report',
      maxAttempts,
      fileSystem: options.fileSystem ?? nodeTsmFileSystem,
      requestName: options.requestName ?? (() => `cocoon-${process.pid}-${randomBytes(8).toString('hex')}`),
      vcekPath: options.vcekPath ?? DEFAULT_SEV_VCEK_PATH,
      readVcekFile: options.readVcekFile ?? ((path) => readFile(path)),
      kds: options.kds,
      now: options.now ?? (() => new Date()),
    };
  }

  /** A raw report for the 64 bytes of REPORTDATA, and the host's certificate table. */
  async getReport(reportData: Buffer): Promise<{ report: Buffer; certificateTable: Buffer }> {
    if (reportData.length !== 64) throw unavailable(`SEV-SNP report data must be 64 bytes, got ${reportData.length}`);
    const { outblob, auxblob } = await requestTsmReport({ ...this.options, provider: SEV_GUEST_PROVIDER, guest: 'SEV-SNP', simulatedKind: 'simulated-sev-snp' }, reportData, {
      readAuxblob: true,
      check: (report) => {
        if (!parseSevSnpReport(report).reportData.equals(reportData)) {
          throw new CocoonError('CCN_ERR_ATTEST_QUOTE_INVALID', 'configfs-tsm returned an SEV-SNP report for different report data');
        }
      },
    });
    return { report: outblob, certificateTable: auxblob ?? Buffer.alloc(0) };
  }

  async certificateExtensions(publicKey: Buffer): Promise<CertificateExtension[]> {
    const reportData = createHash('sha512').update(publicKey).digest();
    const { report, certificateTable } = await this.getReport(reportData);
    const vcek = await this.vcekFor(parseSevSnpReport(report), certificateTable);
    return sevSnpCertificateExtensions({ reportData, report, vcekPem: certificatePem(vcek.der) });
  }

  private async vcekFor(report: SevSnpReport, certificateTable: Buffer): Promise<VcekCertificate> {
    const key = `${report.chipId.toString('hex')}:${report.reportedTcb.toString(16)}`;
    if (this.vcek?.key === key) return this.vcek.certificate;
    const certificate = readVcekCertificate(await this.findVcek(report, certificateTable));
    if (!report.chipId.subarray(0, certificate.hardwareId.length).equals(certificate.hardwareId)) {
      throw unavailable("the VCEK's hwID does not match this chip's CHIP_ID");
    }
    const tcb = decodeTcbVersion(report.reportedTcb, tcbLayoutOf(certificate.product));
    if (tcb.bootLoader !== certificate.tcb.bootLoader || tcb.tee !== certificate.tcb.tee || tcb.snp !== certificate.tcb.snp || tcb.microcode !== certificate.tcb.microcode) {
      throw unavailable("the VCEK was issued for another TCB than this chip's REPORTED_TCB (fetch the current VCEK)");
    }
    if (!(await verifyReportSignature(certificate.parsed.subjectPublicKeyInfo, report.signedBytes, report.signature))) {
      throw unavailable('the SEV-SNP report does not verify under the VCEK');
    }
    this.vcek = { key, certificate };
    return certificate;
  }

  private async findVcek(report: SevSnpReport, certificateTable: Buffer): Promise<Buffer> {
    const fromHost = vcekFromCertificateTable(certificateTable);
    if (fromHost) return fromHost;
    if (this.options.vcekPath !== '') {
      try {
        return await this.options.readVcekFile(this.options.vcekPath);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw unavailable(`cannot read the VCEK file ${this.options.vcekPath}`, error);
      }
    }
    if (!this.options.kds) throw unavailable(`no VCEK: the host supplies none, ${this.options.vcekPath || 'no VCEK file is set'} does not exist, and AMD KDS is not configured`);
    const product = productFromCpuid(report);
    return this.options.kds.vcek(product, report.chipId, decodeTcbVersion(report.reportedTcb, tcbLayoutOf(product)), this.options.now());
  }
}
