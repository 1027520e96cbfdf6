/**
 * TDX evidence from the Linux configfs-tsm report interface (kernel ≥ 6.7, requestTsmReport): one
 * request directory per quote, REPORTDATA written to `inblob`, the quote read from `outblob`,
 * `generation` checked to detect a concurrent writer (retried), the directory always removed.
 */
import { randomBytes } from 'node:crypto';
import { CocoonError } from '@cocoon/protocol';
import type { CertificateExtension } from '../certificate/certificate-reader.ts';
import { quoteCertificateExtensions, reportDataForPublicKey } from './quote-extensions.ts';
import { readQuoteReportData } from './tdx-quote-layout.ts';
import { requestTsmReport } from './configfs-tsm-request.ts';
import type { QuotingTeeProvider } from './tee-provider.ts';
import { nodeTsmFileSystem, type TsmFileSystem } from './tsm-file-system.ts';

export const DEFAULT_TSM_REPORT_ROOT = '/sys/kernel/config/tsm/report';
export const DEFAULT_TSM_MAX_ATTEMPTS = 3;
const TDX_GUEST_PROVIDER = 'tdx_guest';
const REPORT_DATA_LENGTH = 64;

export interface ConfigfsTsmProviderOptions {
  reportRoot?: string;
  maxAttempts?: number;
  fileSystem?: TsmFileSystem;
  /** Name of a request directory; unique per call by default. */
  requestName?: () => string;
}

export class ConfigfsTsmProvider implements QuotingTeeProvider {
  readonly kind = 'tdx';
  readonly reportRoot: string;
  private readonly maxAttempts: number;
  private readonly fileSystem: TsmFileSystem;
  private readonly requestName: () => string;

  constructor(options: ConfigfsTsmProviderOptions = {}) {
    this.reportRoot = options.reportRoot ?? DEFAULT_TSM_REPORT_ROOT;
    this.maxAttempts = options.maxAttempts ?? DEFAULT_TSM_MAX_ATTEMPTS;
    if (!Number.isSafeInteger(this.maxAttempts) || this.maxAttempts < 1) {
      throw new CocoonError('CCN_ERR_CONFIG_INVALID', `configfs-tsm maxAttempts must be a positive integer, got ${this.maxAttempts}`, { param: 'maxAttempts' });
    }
    this.fileSystem = options.fileSystem ?? nodeTsmFileSystem;
    this.requestName = options.requestName ?? (() => `cocoon-${process.pid}-${randomBytes(8).toString('hex')}`);
  }

  async certificateExtensions(publicKey: Buffer): Promise<CertificateExtension[]> {
    return quoteCertificateExtensions(await this.getQuote(reportDataForPublicKey(publicKey)), publicKey);
  }

  async getQuote(reportData: Buffer): Promise<Buffer> {
    if (reportData.length !== REPORT_DATA_LENGTH) {
      throw new CocoonError('CCN_ERR_ATTEST_TEE_UNAVAILABLE', `TDX report data must be ${REPORT_DATA_LENGTH} bytes, got ${reportData.length}`);
    }
    const request = {
      reportRoot: this.reportRoot, maxAttempts: this.maxAttempts, fileSystem: this.fileSystem, requestName: this.requestName,
      provider: TDX_GUEST_PROVIDER, guest: 'TDX', simulatedKind: 'simulated',
    };
    const { outblob } = await requestTsmReport(request, reportData, {
      check: (quote) => {
        if (!readQuoteReportData(quote).equals(reportData)) {
          throw new CocoonError('CCN_ERR_ATTEST_QUOTE_INVALID', 'configfs-tsm returned a quote for different report data');
        }
      },
    });
    return outblob;
  }
}
