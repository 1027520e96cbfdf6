/**
 * RA-TLS certificate lifecycle (§7.2): the attested certificate is generated at the injected clock
 * (runners pass chain time, so the host cannot back- or forward-date it), valid 24 h, and
 * regenerated every hour with a new key and a new quote. It is a CertificateSource: listenSecure
 * and dialSecure read the current certificate for each NEW connection; existing ones keep theirs.
 */
import { CocoonError, toCocoonError } from '@cocoon/protocol';
import { createAttestedCertificate } from '../tee/create-attested-certificate.ts';
import type { TeeProvider } from '../tee/tee-provider.ts';
import type { CertificateSource } from '../transport/tls-settings.ts';
import { DEFAULT_CERTIFICATE_VALIDITY_SECONDS, type SelfSignedCertificate } from './certificate-generator.ts';

export const DEFAULT_CERTIFICATE_REFRESH_INTERVAL_MS = 3_600_000;

export interface RefreshingCertificateOptions {
  provider: TeeProvider;
  /** The clock certificates are dated with (chain time in runners). */
  now: () => Date | Promise<Date>;
  /** Default 86 400 s. */
  validitySeconds?: number;
  /** Default 1 h. */
  refreshIntervalMs?: number;
  /** A failed timed refresh (the previous certificate stays in use). */
  onError?: (error: CocoonError) => void;
}

export type CertificateRefreshListener = (certificate: SelfSignedCertificate, generation: number) => void;

export class RefreshingCertificate implements CertificateSource {
  private certificate: SelfSignedCertificate;
  private generationNumber = 1;
  private inFlight: Promise<SelfSignedCertificate> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<CertificateRefreshListener>();

  private constructor(private readonly options: RefreshingCertificateOptions, first: SelfSignedCertificate) {
    this.certificate = first;
  }

  /** Generates the first certificate; call start() for the periodic refresh. */
  static async create(options: RefreshingCertificateOptions): Promise<RefreshingCertificate> {
    const interval = options.refreshIntervalMs ?? DEFAULT_CERTIFICATE_REFRESH_INTERVAL_MS;
    if (!Number.isSafeInteger(interval) || interval < 1) {
      throw new CocoonError('CCN_ERR_CONFIG_INVALID', `certificate refresh interval must be a positive integer (ms), got ${interval}`, { param: 'refreshIntervalMs' });
    }
    return new RefreshingCertificate(options, await RefreshingCertificate.generate(options));
  }

  private static async generate(options: RefreshingCertificateOptions): Promise<SelfSignedCertificate> {
    const now = await options.now();
    return createAttestedCertificate({ provider: options.provider, now, validitySeconds: options.validitySeconds ?? DEFAULT_CERTIFICATE_VALIDITY_SECONDS });
  }

  current(): SelfSignedCertificate {
    return this.certificate;
  }

  /** 1 for the first certificate, +1 per refresh. */
  get generation(): number {
    return this.generationNumber;
  }

  /** New key + new quote now; concurrent calls share one generation. Listeners run after the switch. */
  refresh(): Promise<SelfSignedCertificate> {
    this.inFlight ??= RefreshingCertificate.generate(this.options)
      .then((certificate) => {
        this.certificate = certificate;
        this.generationNumber += 1;
        for (const listener of this.listeners) listener(certificate, this.generationNumber);
        return certificate;
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  /** Returns the unsubscribe function. */
  onRefresh(listener: CertificateRefreshListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.refresh().catch((error: unknown) => this.options.onError?.(toCocoonError(error, 'CCN_ERR_ATTEST_TEE_UNAVAILABLE')));
    }, this.options.refreshIntervalMs ?? DEFAULT_CERTIFICATE_REFRESH_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
