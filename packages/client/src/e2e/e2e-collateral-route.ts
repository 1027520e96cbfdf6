/**
 * `POST /v1/e2e/collateral` (§22, for apps that verify worker quotes themselves, e.g. in a browser): the body
 * is one raw TDX quote (application/octet-stream, at most 64 KiB), the answer the DCAP collateral for it as
 * the JSON `parseDcapCollateral` reads (TCB info, QE identity, CRLs and their issuer chains) — from the
 * runner's attestation trust (dev: the authority's static collateral; Intel: the PCCS cache). The collateral
 * is signed under the root the app pins, so a lying runner can only make verification fail, never pass.
 * Refusals: 415 (another media type), 413 (larger), 400 CCN_ERR_HTTP_BAD_REQUEST (empty, or not a TDX
 * quote, naming why), 503 CCN_ERR_ATTEST_COLLATERAL (none to be had now; retryable).
 * `POST /v1/e2e/collateral?tee=sev-snp&product=<Milan|Genoa|Turin>` (no body) answers an SEV-SNP product's
 * chain instead — `{ product, ark, ask, crl, fetched_at }` (PEM, PEM, base64 DER; serializeSevChain) as the
 * runner verified it (RunnerAttestation.sevSnpChainFor: the dev authority's chain, or AMD KDS under AMD's
 * pinned ARKs); the app pins the ARK by hash, so here too a lying runner can only make verification fail.
 * Refusals: 400 (an unknown product or tee, a body), 404 without an SEV-SNP lookup, 503 as above.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CocoonError, isCocoonError, requireMediaType, toCocoonError } from '@cocoon/protocol';
import { SEV_PRODUCTS, parseTdxQuote, type SevProduct } from '@cocoon/attestation';
import { readRequestBody } from '../http/request-body-reader.ts';
import type { BodyReadLimits } from '../http/request-body-reader.ts';
import { sendJson } from '../http/json-response.ts';

export const E2E_COLLATERAL_PATH = '/v1/e2e/collateral';

/** Largest quote body taken (a TDX quote with its embedded PCK chain is about 5 KiB). */
export const MAX_QUOTE_BYTES = 64 * 1024;

/** The collateral for a quote, as JSON-ready data (RunnerAttestation.collateralFor, serialized). */
export type CollateralLookup = (quote: Uint8Array, now: Date) => Promise<object>;

/** An SEV-SNP product's verified chain, as JSON-ready data (RunnerAttestation.sevSnpChainFor, serialized). */
export type SevSnpChainLookup = (product: SevProduct, now: Date) => Promise<object>;

export interface CollateralRouteContext {
  collateralFor: CollateralLookup;
  /** Answers `?tee=sev-snp` (without it that form is 404). */
  sevSnpChainFor?: SevSnpChainLookup | undefined;
  /** The body read timeout of the edge (its size limit here is MAX_QUOTE_BYTES). */
  bodyLimits: BodyReadLimits;
  now: () => number;
}

/** Answers `POST /v1/e2e/collateral`; throws CocoonError for the caller to answer. */
export async function handleCollateralRoute(request: IncomingMessage, response: ServerResponse, context: CollateralRouteContext): Promise<void> {
  if (request.method !== 'POST') {
    request.resume();
    throw new CocoonError('CCN_ERR_HTTP_METHOD_NOT_ALLOWED', `${E2E_COLLATERAL_PATH} accepts POST only`);
  }
  const query = new URL(request.url ?? '/', 'http://relay').searchParams;
  const tee = query.get('tee');
  if (tee === 'sev-snp') return handleSevSnpChain(request, response, query.get('product'), context);
  if (tee !== null && tee !== 'tdx') {
    request.resume();
    throw new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', `unknown tee "${tee}" (expected tdx, the default, or sev-snp)`, { param: 'tee' });
  }
  let quote: Buffer;
  try {
    requireMediaType(request.headers, 'application/octet-stream');
    quote = await readRequestBody(request, { maxBytes: MAX_QUOTE_BYTES, timeoutMs: context.bodyLimits.timeoutMs });
  } catch (error) {
    if (!request.complete) response.setHeader('connection', 'close'); // the unread rest is not drained
    throw error;
  }
  if (quote.length === 0) throw new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', 'the body must be a raw TDX quote (it is empty)', { param: 'quote' });
  try {
    parseTdxQuote(quote);
  } catch (error) {
    throw new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', `the body is not a TDX quote: ${toCocoonError(error).message}`, { param: 'quote', cause: error });
  }
  let collateral: object;
  try {
    collateral = await context.collateralFor(new Uint8Array(quote.buffer, quote.byteOffset, quote.length), new Date(context.now()));
  } catch (error) {
    throw collateralRefusal(error);
  }
  sendJson(response, 200, collateral, { 'cache-control': 'no-store' });
}

/** `?tee=sev-snp&product=…`: the product's chain; the body must be empty. */
async function handleSevSnpChain(request: IncomingMessage, response: ServerResponse, product: string | null, context: CollateralRouteContext): Promise<void> {
  let body: Buffer;
  try {
    body = await readRequestBody(request, { maxBytes: MAX_QUOTE_BYTES, timeoutMs: context.bodyLimits.timeoutMs });
  } catch (error) {
    if (!request.complete) response.setHeader('connection', 'close');
    throw error;
  }
  if (!context.sevSnpChainFor) throw new CocoonError('CCN_ERR_HTTP_NOT_FOUND', 'this client runner relays no SEV-SNP chains');
  if (body.length > 0) throw new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', 'the SEV-SNP chain lookup takes no body (name the product: ?tee=sev-snp&product=Genoa)', { param: 'body' });
  const known = SEV_PRODUCTS.find((name) => name === product);
  if (!known) throw new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', `product must be one of ${SEV_PRODUCTS.join(', ')} (got ${product === null ? 'none' : JSON.stringify(product)})`, { param: 'product' });
  let chain: object;
  try {
    chain = await context.sevSnpChainFor(known, new Date(context.now()));
  } catch (error) {
    throw collateralRefusal(error);
  }
  sendJson(response, 200, chain, { 'cache-control': 'no-store' });
}

/** Why no collateral could be given, as 503 CCN_ERR_ATTEST_COLLATERAL (a quote the lookup refuses stays a 400). */
function collateralRefusal(error: unknown): CocoonError {
  if (isCocoonError(error) && (error.code === 'CCN_ERR_ATTEST_COLLATERAL' || error.code === 'CCN_ERR_HTTP_BAD_REQUEST')) return error;
  if (isCocoonError(error) && error.code === 'CCN_ERR_ATTEST_QUOTE_INVALID') {
    return new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', `no collateral for this quote: ${error.message}`, { param: 'quote', cause: error });
  }
  const reason = isCocoonError(error) && error.code !== 'CCN_ERR_INTERNAL' ? error.message : 'the collateral lookup failed';
  return new CocoonError('CCN_ERR_ATTEST_COLLATERAL', `no collateral for this quote now: ${reason}`, { cause: error });
}
