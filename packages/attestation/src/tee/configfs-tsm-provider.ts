/**
 * TDX evidence from the Linux configfs-tsm report interface (kernel ≥ 6.7): one request directory
 * per quote, REPORTDATA written to `inblob`, the quote read from `outblob`, `generation` checked
 * to detect a concurrent writer (retried), the directory always removed.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CocoonError } from '@cocoon/protocol';
import type { CertificateExtension } from '../certificate/certificate-reader.ts';
import { quoteCertificateExtensions, reportDataForPublicKey } from './quote-extensions.ts';
import { readQuoteReportData } from './tdx-quote-layout.ts';
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

type AttemptResult = { kind: 'quote'; quote: Buffer } | { kind: 'raced'; detail: string };

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
    await this.assertReportRoot();
    let lastRace = '';
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const result = await this.attempt(reportData);
      if (result.kind === 'quote') return result.quote;
      lastRace = result.detail;
    }
    throw new CocoonError(
      'CCN_ERR_ATTEST_TEE_UNAVAILABLE',
      `configfs-tsm quote generation raced with another writer ${this.maxAttempts} times (${lastRace})`,
    );
  }

  private async assertReportRoot(): Promise<void> {
    try {
      await this.fileSystem.assertDirectory(this.reportRoot);
    } catch (cause) {
      throw new CocoonError(
        'CCN_ERR_ATTEST_TEE_UNAVAILABLE',
        `no configfs-tsm at ${this.reportRoot}: this machine is not a TDX guest (use tee simulated for a dev network)`,
        { cause },
      );
    }
  }

  private async attempt(reportData: Buffer): Promise<AttemptResult> {
    const directory = join(this.reportRoot, this.requestName());
    try {
      await this.fileSystem.mkdir(directory);
    } catch (cause) {
      throw new CocoonError('CCN_ERR_ATTEST_TEE_UNAVAILABLE', `cannot create configfs-tsm request ${directory}`, { cause });
    }
    try {
      const provider = (await this.readAttribute(directory, 'provider')).toString('utf8').trim();
      if (provider !== TDX_GUEST_PROVIDER) {
        throw new CocoonError('CCN_ERR_ATTEST_TEE_UNAVAILABLE', `configfs-tsm provider is '${provider}', expected '${TDX_GUEST_PROVIDER}' (not a TDX guest)`);
      }
      const generationBefore = await this.readGeneration(directory);
      await this.writeAttribute(directory, 'inblob', reportData);
      const quote = await this.readAttribute(directory, 'outblob');
      const generationAfter = await this.readGeneration(directory);
      if (generationAfter !== generationBefore + 1) {
        return { kind: 'raced', detail: `generation ${generationBefore} → ${generationAfter}` };
      }
      if (!readQuoteReportData(quote).equals(reportData)) {
        throw new CocoonError('CCN_ERR_ATTEST_QUOTE_INVALID', 'configfs-tsm returned a quote for different report data');
      }
      return { kind: 'quote', quote };
    } finally {
      await this.fileSystem.rmdir(directory).catch(() => undefined);
    }
  }

  private async readGeneration(directory: string): Promise<number> {
    const text = (await this.readAttribute(directory, 'generation')).toString('utf8').trim();
    const generation = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(generation)) {
      throw new CocoonError('CCN_ERR_ATTEST_TEE_UNAVAILABLE', `configfs-tsm generation is not a number: '${text}'`);
    }
    return generation;
  }

  private async readAttribute(directory: string, name: string): Promise<Buffer> {
    try {
      return await this.fileSystem.readFile(join(directory, name));
    } catch (cause) {
      throw new CocoonError('CCN_ERR_ATTEST_TEE_UNAVAILABLE', `cannot read configfs-tsm ${name} in ${directory}`, { cause });
    }
  }

  private async writeAttribute(directory: string, name: string, data: Buffer): Promise<void> {
    try {
      await this.fileSystem.writeFile(join(directory, name), data);
    } catch (cause) {
      throw new CocoonError('CCN_ERR_ATTEST_TEE_UNAVAILABLE', `cannot write configfs-tsm ${name} in ${directory}`, { cause });
    }
  }
}
