/**
 * The DCAP collateral of a worker's quote, asked of the client runner (`POST {base}/v1/e2e/collateral`,
 * the raw quote as application/octet-stream → the collateral JSON): what a browser needs to verify a
 * TDX quote itself. The runner is not trusted with it: the collateral is signed under the root the
 * app pins (Intel's, or a dev network's), so a lying runner can only make verification fail.
 * Answers are kept per quote for a minute (one listing verifies the same quotes again only after the
 * session's evidence cache expires, but a page verifying several models shares them).
 */
import { CocoonError, toHex } from '@cocoon/protocol/browser';
import { parseDcapCollateral } from '@cocoon/attestation/browser';
import type { CollateralSource, DcapCollateral } from '@cocoon/attestation/browser';
import { readErrorBody } from './cocoon-request-error.ts';

export const E2E_COLLATERAL_PATH = '/v1/e2e/collateral';
const CACHE_MS = 60_000;
const CACHE_ENTRIES = 32;

export class RelayCollateralSource implements CollateralSource {
  private readonly cache = new Map<string, { at: number; collateral: Promise<DcapCollateral> }>();

  /** `base`: the runner's root URL without a trailing slash. */
  constructor(private readonly fetchImpl: typeof fetch, private readonly base: string, private readonly now: () => number = Date.now) {}

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

  private async ask(quote: Uint8Array): Promise<DcapCollateral> {
    const url = `${this.base}${E2E_COLLATERAL_PATH}`;
    let response: Response;
    try {
      response = await this.fetchImpl(url, { method: 'POST', headers: { 'content-type': 'application/octet-stream', accept: 'application/json' }, body: Uint8Array.from(quote) });
    } catch (error) {
      throw new CocoonError('CCN_ERR_ATTEST_COLLATERAL', `no client runner answers at ${this.base} for the quote's collateral (${error instanceof Error ? error.message : String(error)})`, { cause: error });
    }
    const text = await response.text();
    if (!response.ok) {
      const body = readErrorBody(text);
      throw new CocoonError('CCN_ERR_ATTEST_COLLATERAL', `the client runner gives no collateral for the quote (HTTP ${response.status}${body.message ? `: ${body.message}` : ''})`);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new CocoonError('CCN_ERR_ATTEST_COLLATERAL', `the client runner's collateral answer is not JSON`);
    }
    return parseDcapCollateral(value, 'the relayed collateral');
  }
}
