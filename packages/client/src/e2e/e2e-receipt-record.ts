/**
 * Turns a worker's signed receipt (§22) into what the receipt store keeps: the receipt bytes as
 * received, its body in readable JSON, and whether it verified against the request (checkE2eReceipt:
 * request id and hash, the answer's hash and chunk count, one of the request's verified recipient
 * keys, that key's signature) — with the reason when it did not. Also the readable form of a
 * `proxy.clientRequestPayment` charge.
 */
import { checkE2eReceipt, encodeBoxed, isCocoonError, toBase64, toHex } from '@cocoon/protocol';
import type { E2eReceiptExpectation, ExtE2eReceiptBody, ExtE2eSignedReceipt, ProxyClientRequestPayment, VerifiedE2eReceipt } from '@cocoon/protocol';
import type { E2eStoredCharge, E2eStoredReceipt } from './e2e-request-record.ts';

/** The body's fields as JSON: bytes as hex, 64-bit numbers as decimal strings. */
export function receiptBodyJson(body: ExtE2eReceiptBody): Record<string, unknown> {
  const tokens = body.tokens_used;
  return {
    request_id: toHex(body.request_id), request_hash: toHex(body.request_hash), answer_hash: toHex(body.answer_hash),
    answer_chunks: body.answer_chunks, status: body.status, model: body.model,
    hpke_public_key: toHex(body.hpke_public_key), signing_public_key: toHex(body.signing_public_key),
    tokens_used: {
      prompt_tokens_used: String(tokens.prompt_tokens_used), cached_tokens_used: String(tokens.cached_tokens_used),
      completion_tokens_used: String(tokens.completion_tokens_used), reasoning_tokens_used: String(tokens.reasoning_tokens_used),
      total_tokens_used: String(tokens.total_tokens_used),
    },
    coefficient: body.coefficient, price_per_token: String(body.price_per_token), cost_nanoton: String(body.cost_nanoton),
    worker_start_ms: String(body.worker_start_ms), worker_end_ms: String(body.worker_end_ms), proxy: body.proxy,
  };
}

/** Checks `signed` against `expected` and returns the record to store, verified or with the reason it is not. */
export function checkedReceipt(signed: ExtE2eSignedReceipt, expected: E2eReceiptExpectation): E2eStoredReceipt {
  const stored = { signed: toBase64(encodeBoxed(signed)), body: receiptBodyJson(signed.body), tokens: String(signed.body.tokens_used.total_tokens_used) };
  try {
    checkE2eReceipt(signed, expected);
    return { verified: true, ...stored };
  } catch (error) {
    return { verified: false, reason: isCocoonError(error) ? error.message : String(error), ...stored };
  }
}

/** The record to store for a receipt that already checked (checkE2eReceipt's result): no second signature check. */
export function verifiedStoredReceipt(verified: VerifiedE2eReceipt): E2eStoredReceipt {
  return { verified: true, signed: toBase64(verified.bytes), body: receiptBodyJson(verified.body), tokens: String(verified.tokensUsed.total_tokens_used) };
}

/** The readable form of the proxy's charge for one request. */
export function storedCharge(payment: ProxyClientRequestPayment, nowMs: number): E2eStoredCharge {
  const signed = payment.signed_payment;
  return {
    request_tokens: String(payment.request_tokens), db_tokens: String(payment.db_tokens), max_tokens: String(payment.max_tokens),
    signed_payment: signed._ === 'proxy.signedPayment' && signed.data.length > 0 ? toBase64(signed.data) : null,
    received_at_ms: nowMs,
  };
}
