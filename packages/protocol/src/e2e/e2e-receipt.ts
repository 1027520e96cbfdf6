/**
 * Receipts of end-to-end requests (§22): the worker signs "cocoon-e2e-1 receipt\0" ‖ bare
 * ext.e2eReceiptBody with the signing key of the HPKE key that opened the request; the client checks
 * the signature with the verified key it sealed to and that the body is about its own request and the
 * answer it decrypted. `e2eReceiptBodyFor` fills in the fields an opened request already fixes.
 */
import { CocoonError } from '../errors/error-table.ts';
import type { ExtE2eReceiptBody, ExtE2eSignedReceipt, TokensUsed } from '../tl/generated/cocoon-api-types.ts';
import { RECEIPT_PREFIX, bytesEqual, concatBytes } from './e2e-labels.ts';
import { e2ePrimitives } from './e2e-primitives.ts';
import { decodeE2eBoxed, encodeE2eBare, encodeE2eBoxed, tlBytes } from './e2e-tl.ts';
import type { VerifiedE2eKey } from './e2e-evidence-verifier.ts';
import type { E2eKeyPair } from './e2e-key-pair.ts';

/** What the receipt signing key signs. */
export function receiptSignedMessage(body: ExtE2eReceiptBody): Uint8Array {
  return concatBytes(RECEIPT_PREFIX, encodeE2eBare<'ext.e2eReceiptBody'>(body));
}

export function signReceipt(body: ExtE2eReceiptBody, signingPrivateKey: Uint8Array): ExtE2eSignedReceipt {
  const signature = e2ePrimitives().ed25519Sign(signingPrivateKey, receiptSignedMessage(body));
  return { _: 'ext.e2eSignedReceipt', body, signature: tlBytes(signature) };
}

export function verifyReceiptSignature(signed: ExtE2eSignedReceipt, signingPublicKey: Uint8Array): boolean {
  let message: Uint8Array;
  try {
    message = receiptSignedMessage(signed.body);
  } catch {
    return false;
  }
  return e2ePrimitives().ed25519Verify(signed.signature, message, signingPublicKey);
}

/** The fields of a receipt the worker reports (the rest come from the opened request and its answer). */
export interface E2eReceiptFacts {
  /** 0 = ok, else the wire error code the request ended with. */
  status: number;
  /** The worker's full model string. */
  model: string;
  tokensUsed: TokensUsed;
  coefficient: number;
  pricePerToken: bigint;
  costNanoton: bigint;
  workerStartMs: bigint;
  workerEndMs: bigint;
  /** The proxy's contract address when known, else hex of its TLS public key. */
  proxy: string;
}

/** A receipt body for an opened request, after its last chunk was sealed. */
export function e2eReceiptBodyFor(
  opened: { header: { request_id: Uint8Array }; requestHash: Uint8Array; key: E2eKeyPair; answer: { answerHash: Uint8Array; chunks: number } },
  facts: E2eReceiptFacts,
): ExtE2eReceiptBody {
  return {
    _: 'ext.e2eReceiptBody', request_id: tlBytes(opened.header.request_id), request_hash: tlBytes(opened.requestHash),
    answer_hash: tlBytes(opened.answer.answerHash), answer_chunks: opened.answer.chunks, status: facts.status, model: facts.model,
    hpke_public_key: tlBytes(opened.key.hpkePublicKey), signing_public_key: tlBytes(opened.key.signingPublicKey), tokens_used: facts.tokensUsed,
    coefficient: facts.coefficient, price_per_token: facts.pricePerToken, cost_nanoton: facts.costNanoton,
    worker_start_ms: facts.workerStartMs, worker_end_ms: facts.workerEndMs, proxy: facts.proxy,
  };
}

export interface VerifiedE2eReceipt {
  signed: ExtE2eSignedReceipt;
  /** Boxed ext.e2eSignedReceipt bytes (what the client stores and shows). */
  bytes: Uint8Array;
  body: ExtE2eReceiptBody;
  /** The verified key that opened the request (one of the recipients). */
  key: VerifiedE2eKey;
  status: number;
  tokensUsed: TokensUsed;
  costNanoton: bigint;
}

export interface E2eReceiptExpectation {
  requestId: Uint8Array;
  requestHash: Uint8Array;
  answerHash: Uint8Array;
  answerChunks: number;
  recipients: readonly VerifiedE2eKey[];
}

function invalid(what: string): CocoonError {
  return new CocoonError('CCN_ERR_E2E_RECEIPT_INVALID', `e2e receipt: ${what}`);
}

/** Checks a receipt against the client's own request and decrypted answer; throws CCN_ERR_E2E_RECEIPT_INVALID. */
export function checkE2eReceipt(receipt: ExtE2eSignedReceipt | Uint8Array, expected: E2eReceiptExpectation): VerifiedE2eReceipt {
  const signed = receipt instanceof Uint8Array
    ? decodeE2eBoxed(receipt, 'CCN_ERR_E2E_RECEIPT_INVALID', 'e2e receipt', 'ext.e2eSignedReceipt')
    : receipt;
  const { body } = signed;
  if (!bytesEqual(body.request_id, expected.requestId)) throw invalid('request_id is not this request\'s');
  if (!bytesEqual(body.request_hash, expected.requestHash)) throw invalid('request_hash does not match the request as sent');
  const key = expected.recipients.find((candidate) => bytesEqual(candidate.hpkePublicKey, body.hpke_public_key));
  if (key === undefined) throw invalid('hpke_public_key is not one of the request\'s recipients');
  if (!bytesEqual(key.signingPublicKey, body.signing_public_key)) throw invalid('signing_public_key is not the verified key\'s');
  if (!verifyReceiptSignature(signed, key.signingPublicKey)) throw invalid('signature does not verify');
  if (body.model !== key.model) throw invalid('model is not the verified key\'s model');
  if (!bytesEqual(body.answer_hash, expected.answerHash)) throw invalid('answer_hash does not match the decrypted answer');
  if (body.answer_chunks !== expected.answerChunks) throw invalid(`answer_chunks ${body.answer_chunks}, received ${expected.answerChunks}`);
  const bytes = receipt instanceof Uint8Array ? receipt : encodeE2eBoxed<'ext.e2eSignedReceipt'>(signed);
  return { signed, bytes, body, key, status: body.status, tokensUsed: body.tokens_used, costNanoton: body.cost_nanoton };
}
