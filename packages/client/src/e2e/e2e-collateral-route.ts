/**
 * `POST /v1/e2e/collateral` (§22, for apps that verify worker quotes themselves, e.g. in a browser): the body
 * is one raw TDX quote (application/octet-stream, at most 64 KiB), the answer the DCAP collateral for it as
 * the JSON `parseDcapCollateral` reads (TCB info, QE identity, CRLs and their issuer chains) — from the
 * runner's attestation trust (dev: the authority's static collateral; Intel: the PCCS cache). The collateral
 * is signed under the root the app pins, so a lying runner can only make verification fail, never pass.
 * Refusals: 415 (another media type), 413 (larger), 400 CCN_ERR_HTTP_BAD_REQUEST (empty, or not a TDX
 * quote, naming why), 503 CCN_ERR_ATTEST_COLLATERAL (none to be had now; retryable).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CocoonError, isCocoonError, requireMediaType, toCocoonError } from '@cocoon/protocol';
import { parseTdxQuote } from '@cocoon/attestation';
import { readRequestBody } from '../http/request-body-reader.ts';
import type { BodyReadLimits } from '../http/request-body-reader.ts';
import { sendJson } from '../http/json-response.ts';

export const E2E_COLLATERAL_PATH = '/v1/e2e/collateral';

/** Largest quote body taken (a TDX quote with its embedded PCK chain is about 5 KiB). */
export const MAX_QUOTE_BYTES = 64 * 1024;

/** The collateral for a quote, as JSON-ready data (RunnerAttestation.collateralFor, serialized). */
export type CollateralLookup = (quote: Uint8Array, now: Date) => Promise<object>;

export interface CollateralRouteContext {
  collateralFor: CollateralLookup;
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

/** Why no collateral could be given, as 503 CCN_ERR_ATTEST_COLLATERAL (a quote the lookup refuses stays a 400). */
function collateralRefusal(error: unknown): CocoonError {
  if (isCocoonError(error) && (error.code === 'CCN_ERR_ATTEST_COLLATERAL' || error.code === 'CCN_ERR_HTTP_BAD_REQUEST')) return error;
  if (isCocoonError(error) && error.code === 'CCN_ERR_ATTEST_QUOTE_INVALID') {
    return new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', `no collateral for this quote: ${error.message}`, { param: 'quote', cause: error });
  }
  const reason = isCocoonError(error) && error.code !== 'CCN_ERR_INTERNAL' ? error.message : 'the collateral lookup failed';
  return new CocoonError('CCN_ERR_ATTEST_COLLATERAL', `no collateral for this quote now: ${reason}`, { cause: error });
}
