/**
 * The JSON summary of a verified end-to-end receipt that the SDK returns with every answer (and
 * cocoonFetch shows in `x-cocoon-receipt` / `cocoonReceipt(response)`): what the serving worker signed
 * about the request — ids and hashes in hex, tokens and cost, the worker's attested key, TEE and the
 * authority its quote chains to — plus `verified: true` (an unverified receipt is never summarized:
 * it fails the request instead).
 */
import { toBase64, toHex } from '@cocoon/protocol/browser';
import type { VerifiedE2eReceipt } from '@cocoon/protocol/browser';

export interface CocoonReceiptSummary {
  request_id: string;
  request_hash: string;
  answer_hash: string;
  answer_chunks: number;
  /** 0 = ok, else the wire error code the request ended with. */
  status: number;
  model: string;
  tokens_used: { prompt: number; cached: number; completion: number; reasoning: number; total: number };
  coefficient: number;
  price_per_token: string;
  /** nanoTON, as a decimal string (bigint). */
  cost_nanoton: string;
  /** The same cost in TON, an exact decimal string ("0.00000014"). */
  cost_ton: string;
  worker_start_ms: number;
  worker_end_ms: number;
  proxy: string;
  hpke_public_key: string;
  signing_public_key: string;
  image_hash: string;
  tee: string;
  /** The root the worker's quote chains to (`name sha256:…`), when the verifier says. */
  authority?: string;
  /** The boxed ext.e2eSignedReceipt, base64 (to keep or to show a third party). */
  signed_receipt: string;
  verified: true;
}

/** nanoTON (a non-negative integer, as bigint or decimal string) as an exact TON decimal: 140 → "0.00000014". */
export function formatNanotonAsTon(nanoton: bigint | string): string {
  const value = typeof nanoton === 'bigint' ? nanoton : BigInt(nanoton);
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(10, '0');
  const whole = digits.slice(0, -9);
  const fraction = digits.slice(-9).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

export function summarizeReceipt(receipt: VerifiedE2eReceipt): CocoonReceiptSummary {
  const { body, key } = receipt;
  const tokens = body.tokens_used;
  return {
    request_id: toHex(body.request_id), request_hash: toHex(body.request_hash), answer_hash: toHex(body.answer_hash), answer_chunks: body.answer_chunks,
    status: body.status, model: body.model,
    tokens_used: {
      prompt: Number(tokens.prompt_tokens_used), cached: Number(tokens.cached_tokens_used), completion: Number(tokens.completion_tokens_used),
      reasoning: Number(tokens.reasoning_tokens_used), total: Number(tokens.total_tokens_used),
    },
    coefficient: body.coefficient, price_per_token: body.price_per_token.toString(), cost_nanoton: body.cost_nanoton.toString(), cost_ton: formatNanotonAsTon(body.cost_nanoton),
    worker_start_ms: Number(body.worker_start_ms), worker_end_ms: Number(body.worker_end_ms), proxy: body.proxy,
    hpke_public_key: toHex(body.hpke_public_key), signing_public_key: toHex(body.signing_public_key), image_hash: toHex(key.imageHash), tee: key.tee,
    ...(key.authority ? { authority: key.authority } : {}),
    signed_receipt: toBase64(receipt.bytes), verified: true,
  };
}
