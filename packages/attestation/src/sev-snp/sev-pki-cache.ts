/**
 * Cache of verified SEV-SNP product chains (ARK, ASK, CRL) with the caller's clock: a chain is
 * served while it is usable (CRL current, fetched within the max age, certificates valid) and
 * younger than the refresh interval; then it is fetched again, concurrent callers sharing one
 * fetch. A refresh that cannot fetch or whose CRL is unusable keeps serving the previous chain while
 * it is still usable; a fetched chain that fails verification (a revoked ASK) evicts it. After KDS
 * answers 429 nothing is fetched before its Retry-After instant.
 */
import { CocoonError, toCocoonError } from '@cocoon/protocol/browser';
import { KdsRateLimitedError, type SevPkiSource } from './amd-kds-client.ts';
import { verifySevChain, type SevRootPins, type VerifiedSevChain } from './sev-trust-chain.ts';
import type { SevProduct } from './vcek-certificate.ts';

export const DEFAULT_SEV_PKI_REFRESH_MS = 24 * 3_600_000;

/** Anything that yields a verified chain for a product at an instant. */
export interface SevChainProvider {
  readonly trustName: string;
  verifiedChain(product: SevProduct, now: Date): Promise<VerifiedSevChain>;
}

export interface SevPkiCacheOptions {
  source: SevPkiSource;
  pins: SevRootPins;
  /** 'AMD' or 'dev' (messages). */
  trustName: string;
  /** Re-fetch a chain this long after it was fetched; default 24 h. */
  refreshIntervalMs?: number;
  /** A CRL older than this is stale; default 7 days. */
  crlMaxAgeMs?: number;
  /** A failed refresh while a usable chain is served. */
  onRefreshError?: (error: CocoonError) => void;
}

export class SevPkiCache implements SevChainProvider {
  readonly trustName: string;
  private readonly entries = new Map<SevProduct, VerifiedSevChain>();
  private readonly inFlight = new Map<SevProduct, Promise<VerifiedSevChain>>();
  private readonly blockedUntil = new Map<SevProduct, KdsRateLimitedError>();
  private readonly refreshIntervalMs: number;
  /** Number of fetches started (observability, tests). */
  fetches = 0;

  constructor(private readonly options: SevPkiCacheOptions) {
    this.trustName = options.trustName;
    this.refreshIntervalMs = options.refreshIntervalMs ?? DEFAULT_SEV_PKI_REFRESH_MS;
    if (!Number.isSafeInteger(this.refreshIntervalMs) || this.refreshIntervalMs < 1) {
      throw new CocoonError('CCN_ERR_CONFIG_INVALID', `SEV-SNP PKI refresh interval must be a positive integer (ms), got ${this.refreshIntervalMs}`, { param: 'refreshIntervalMs' });
    }
  }

  async verifiedChain(product: SevProduct, now: Date): Promise<VerifiedSevChain> {
    const entry = this.entries.get(product);
    const usable = entry !== undefined && now >= entry.crlThisUpdate && now < entry.usableUntil;
    if (usable && now.getTime() - entry.fetchedAt.getTime() < this.refreshIntervalMs) return entry;
    const blocked = this.blockedUntil.get(product);
    if (blocked && now < blocked.retryAt) {
      if (usable) return entry;
      throw blocked;
    }
    try {
      return await this.fetch(product, now);
    } catch (error) {
      const failure = toCocoonError(error, 'CCN_ERR_ATTEST_COLLATERAL');
      if (failure instanceof KdsRateLimitedError) this.blockedUntil.set(product, failure);
      if (failure.code !== 'CCN_ERR_ATTEST_COLLATERAL') this.entries.delete(product); // a fetched chain that fails (a revoked ASK) replaces the old one
      if (!usable || failure.code !== 'CCN_ERR_ATTEST_COLLATERAL') throw failure;
      this.options.onRefreshError?.(failure);
      return entry;
    }
  }

  private fetch(product: SevProduct, now: Date): Promise<VerifiedSevChain> {
    let pending = this.inFlight.get(product);
    if (!pending) {
      this.fetches += 1;
      pending = this.options.source.chain(product, now)
        .then((material) => verifySevChain(material, this.options.pins, now, { crlMaxAgeMs: this.options.crlMaxAgeMs, trustName: this.trustName }))
        .then((chain) => {
          this.entries.set(product, chain);
          this.blockedUntil.delete(product);
          return chain;
        })
        .finally(() => this.inFlight.delete(product));
      this.inFlight.set(product, pending);
    }
    return pending;
  }
}
