/**
 * The DCAP collateral of a worker's quote, asked of the client runner (`POST {base}/v1/e2e/collateral`,
 * the raw quote as application/octet-stream → the collateral JSON): what a browser needs to verify a
 * TDX quote itself. The runner is not trusted with it: the collateral is signed under the root the
 * app pins (Intel's, or a dev network's), so a lying runner can only make verification fail.
 * Answers are kept per quote for a minute (one listing verifies the same quotes again only after the
 * session's evidence cache expires, but a page verifying several models shares them).
 * It is the SEV-SNP chain source too (`chain(product)`: `POST {base}/v1/e2e/collateral?tee=sev-snp&product=…`
 * → `{ product, ark, ask, crl, fetched_at }`): the verifier pins the ARK by hash and checks the ASK and CRL
 * signatures under it, so here as well the runner can only make verification fail; a `fetched_at` later than
 * the app's clock is taken as now (the CRL's own signed nextUpdate bounds it either way).
 */
import { CocoonError, toHex } from '@cocoon/protocol/browser';
import { parseDcapCollateral, parseSevChainJson } from '@cocoon/attestation/browser';
import type { CollateralSource, DcapCollateral, SevChainMaterial, SevPkiSource, SevProduct } from '@cocoon/attestation/browser';
import { readErrorBody } from './cocoon-request-error.ts';

export const E2E_COLLATERAL_PATH = '/v1/e2e/collateral';
const CACHE_MS = 60_000;
const CACHE_ENTRIES = 32;

export class RelayCollateralSource implements CollateralSource, SevPkiSource {
  readonly name: string;
  private readonly cache = new Map<string, { at: number; collateral: Promise<DcapCollateral> }>();
  private readonly chains = new Map<SevProduct, { at: number; chain: Promise<SevChainMaterial> }>();

  /** `base`: the runner's root URL without a trailing slash. */
  constructor(private readonly fetchImpl: typeof fetch, private readonly base: string, private readonly now: () => number = Date.now) {
    this.name = `the client runner at ${base}`;
  }

  /** Rejects with CCN_ERR_ATTEST_COLLATERAL (retryable) when the runner gives none. */
  get(quote: Uint8Array, _now: Date): Promise<DcapCollateral> {
    const id = toHex(quote.subarray(0, 1024)) + String(quote.length);
    const at = this.now();
    const cached = this.cache.get(id);
    if (cached && at - cached.at < CACHE_MS && at >= cached.at) return cached.collateral;
    const collateral = this.ask(quote);
    this.cache.delete(id);
    this.cache.set(id, { at, collateral });
    collateral.catch(() => this.cache.delete(id));
    while (this.cache.size > CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
    return collateral;
  }

  /** An SEV-SNP product's ARK, ASK and CRL; rejects with CCN_ERR_ATTEST_COLLATERAL (retryable) when the runner gives none. */
  chain(product: SevProduct, now: Date): Promise<SevChainMaterial> {
    const at = this.now();
    const cached = this.chains.get(product);
    if (cached && at - cached.at < CACHE_MS && at >= cached.at) return cached.chain;
    const chain = this.askJson(`?tee=sev-snp&product=${encodeURIComponent(product)}`, undefined, `SEV-SNP ${product} chain`).then((value) => {
      const material = parseSevChainJson(value, `the relayed SEV-SNP ${product} chain`);
      if (material.product !== product) throw new CocoonError('CCN_ERR_ATTEST_COLLATERAL', `the client runner answered the ${material.product} chain for ${product}`);
      return material.fetchedAt > now ? { ...material, fetchedAt: now } : material;
    });
    this.chains.set(product, { at, chain });
    chain.catch(() => {
      if (this.chains.get(product)?.chain === chain) this.chains.delete(product);
    });
    return chain;
  }

  private async ask(quote: Uint8Array): Promise<DcapCollateral> {
    return parseDcapCollateral(await this.askJson('', quote, 'collateral for the quote'), 'the relayed collateral');
  }

  /** POSTs to the collateral route (with `query`, and the quote as the body when given) and reads the JSON answer. */
  private async askJson(query: string, body: Uint8Array | undefined, noun: string): Promise<unknown> {
    const url = `${this.base}${E2E_COLLATERAL_PATH}${query}`;
    let response: Response;
    try {
      response = await this.fetchImpl(url, body
        ? { method: 'POST', headers: { 'content-type': 'application/octet-stream', accept: 'application/json' }, body: Uint8Array.from(body) }
        : { method: 'POST', headers: { accept: 'application/json' } });
    } catch (error) {
      throw new CocoonError('CCN_ERR_ATTEST_COLLATERAL', `no client runner answers at ${this.base} for the ${noun} (${error instanceof Error ? error.message : String(error)})`, { cause: error });
    }
    const text = await response.text();
    if (!response.ok) {
      const answer = readErrorBody(text);
      throw new CocoonError('CCN_ERR_ATTEST_COLLATERAL', `the client runner gives no ${noun} (HTTP ${response.status}${answer.message ? `: ${answer.message}` : ''})`);
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new CocoonError('CCN_ERR_ATTEST_COLLATERAL', `the client runner's answer for the ${noun} is not JSON`);
    }
  }
}
