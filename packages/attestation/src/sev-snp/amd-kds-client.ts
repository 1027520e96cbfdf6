/**
 * Where SEV-SNP certificates and CRLs come from: a SevPkiSource. In production AmdKdsClient fetches
 * AMD KDS (https://kdsintf.amd.com/vcek/v1/{product}/crl, /cert_chain, /{hwid}?…SPL) — the bundled
 * Milan/Genoa ASK and ARK save the chain request — and honours HTTP 429 with Retry-After as AMD's
 * KDS specification requires (the reference's PKI script just dies on it). StaticSevPkiSource serves
 * recorded material (tests, air-gapped hosts). No network without an explicit fetch.
 */
import { CocoonError } from '@cocoon/protocol/browser';
import { BUNDLED_AMD_CHAINS } from './amd-roots.ts';
import type { SevChainMaterial } from './sev-trust-chain.ts';
import type { SevSnpTcbVersion } from './sev-snp-report.ts';
import type { SevProduct } from './vcek-certificate.ts';

export const AMD_KDS_URL = 'https://kdsintf.amd.com';
const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_RETRY_AFTER_MS = 60_000;

export interface SevPkiSource {
  /** Names the source in messages. */
  readonly name: string;
  /** ASK + ARK and the ARK's current CRL for a product; `now` dates the fetch. */
  chain(product: SevProduct, now: Date): Promise<SevChainMaterial>;
}

/** AMD KDS answered 429: do not ask again before `retryAt`. */
export class KdsRateLimitedError extends CocoonError {
  constructor(readonly url: string, readonly retryAt: Date) {
    super('CCN_ERR_ATTEST_COLLATERAL', `AMD KDS rate-limited ${url} (HTTP 429); retry after ${retryAt.toISOString()}`);
  }
}

export type FetchFunction = (url: string, init: { signal: AbortSignal; headers: Record<string, string> }) => Promise<{
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  arrayBuffer(): Promise<ArrayBuffer>;
}>;

export interface AmdKdsClientOptions {
  /** Default https://kdsintf.amd.com. */
  baseUrl?: string;
  /** Default globalThis.fetch. */
  fetch?: FetchFunction;
  /** Use the ASK/ARK shipped with the code for Milan and Genoa instead of fetching cert_chain; default true. */
  bundledChains?: boolean;
  timeoutMs?: number;
}

/** Retry-After as seconds or an HTTP date; default one minute. */
export function retryAfterMs(header: string | null, now: Date): number {
  if (header) {
    if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
    const date = Date.parse(header);
    if (Number.isFinite(date)) return Math.max(0, date - now.getTime());
  }
  return DEFAULT_RETRY_AFTER_MS;
}

export class AmdKdsClient implements SevPkiSource {
  readonly name: string;
  private readonly baseUrl: string;
  private readonly fetchFunction: FetchFunction;
  private readonly bundledChains: boolean;
  private readonly timeoutMs: number;

  constructor(options: AmdKdsClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? AMD_KDS_URL).replace(/\/+$/, '');
    this.name = `AMD KDS ${this.baseUrl}`;
    this.fetchFunction = options.fetch ?? (globalThis.fetch as unknown as FetchFunction);
    this.bundledChains = options.bundledChains ?? true;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  productUrl(product: SevProduct, path: string): string {
    return `${this.baseUrl}/vcek/v1/${product}/${path}`;
  }

  /** The KDS URL of a chip's VCEK for a TCB (Turin: 8-byte hwID and fmcSPL first). */
  vcekUrl(product: SevProduct, hardwareId: Buffer, tcb: SevSnpTcbVersion): string {
    const id = (product === 'Turin' ? hardwareId.subarray(0, 8) : hardwareId).toString('hex');
    const fmc = product === 'Turin' ? `fmcSPL=${tcb.fmc ?? 0}&` : '';
    return this.productUrl(product, `${id}?${fmc}blSPL=${tcb.bootLoader}&teeSPL=${tcb.tee}&snpSPL=${tcb.snp}&ucodeSPL=${tcb.microcode}`);
  }

  async chain(product: SevProduct, now: Date): Promise<SevChainMaterial> {
    const bundled = this.bundledChains ? BUNDLED_AMD_CHAINS[product] : undefined;
    const certificates = bundled ? [bundled.askPem, bundled.arkPem] : [(await this.get(this.productUrl(product, 'cert_chain'), now)).toString('latin1')];
    const crl = await this.get(this.productUrl(product, 'crl'), now);
    return { product, certificates, crl, fetchedAt: now };
  }

  /** The DER VCEK of a chip at a TCB. */
  async vcek(product: SevProduct, hardwareId: Buffer, tcb: SevSnpTcbVersion, now: Date): Promise<Buffer> {
    return this.get(this.vcekUrl(product, hardwareId, tcb), now);
  }

  private async get(url: string, now: Date): Promise<Buffer> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    timer.unref?.();
    try {
      const response = await this.fetchFunction(url, { signal: controller.signal, headers: { accept: 'application/octet-stream, application/x-pem-file' } });
      if (response.status === 429) throw new KdsRateLimitedError(url, new Date(now.getTime() + retryAfterMs(response.headers.get('retry-after'), now)));
      if (response.status !== 200) throw new CocoonError('CCN_ERR_ATTEST_COLLATERAL', `AMD KDS answered HTTP ${response.status} for ${url}`);
      return Buffer.from(await response.arrayBuffer());
    } catch (error) {
      if (error instanceof CocoonError) throw error;
      throw new CocoonError('CCN_ERR_ATTEST_COLLATERAL', `cannot fetch ${url} from AMD KDS: ${(error as Error).message}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Serves recorded chains and CRLs; `fetchedAt` defaults to the instant of each request. */
export class StaticSevPkiSource implements SevPkiSource {
  readonly name = 'recorded SEV-SNP PKI';
  private readonly materials: ReadonlyMap<SevProduct, Omit<SevChainMaterial, 'fetchedAt'> & { fetchedAt?: Date }>;

  constructor(materials: readonly (Omit<SevChainMaterial, 'fetchedAt'> & { fetchedAt?: Date })[]) {
    this.materials = new Map(materials.map((material) => [material.product, material]));
  }

  async chain(product: SevProduct, now: Date): Promise<SevChainMaterial> {
    const material = this.materials.get(product);
    if (!material) throw new CocoonError('CCN_ERR_ATTEST_COLLATERAL', `no recorded SEV-SNP certificate chain for ${product}`);
    return { ...material, fetchedAt: material.fetchedAt ?? now };
  }
}
