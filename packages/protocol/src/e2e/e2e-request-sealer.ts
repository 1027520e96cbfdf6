/**
 * Sealing an HTTP request end to end (§22), done by the app or the client runner: a random content key
 * K encrypts the boxed http.request (key HKDF(K, headerHash, "…request"), AAD headerHash); K is wrapped
 * for each recipient under a key derived from the cached HPKE context's exported secret and the
 * header hash. The result carries the E2eAnswerOpener that opens the answer and checks its receipt.
 */
import { CocoonError } from '../errors/error-table.ts';
import type { ExtE2eRecipient, ExtE2eRequestHeader, HttpHeader } from '../tl/generated/cocoon-api-types.ts';
import {
  CONTENT_KEY_BYTES, E2E_VERSION, HEADER_PREFIX, INFO_ANSWER, INFO_REQUEST, INFO_WRAP, REQUEST_ID_BYTES, ZERO_NONCE, concatBytes, hexId,
} from './e2e-labels.ts';
import { e2ePrimitives, type E2ePrimitives } from './e2e-primitives.ts';
import { encodeE2eBare, encodeE2eBoxed, tlBytes } from './e2e-tl.ts';
import { E2eHpkeSenderCache } from './e2e-hpke-caches.ts';
import { E2eAnswerOpener } from './e2e-answer-chunks.ts';
import type { VerifiedE2eKey } from './e2e-evidence-verifier.ts';

export interface E2eHttpRequest {
  method: string;
  url: string;
  headers: Array<{ name: string; value: string }>;
  payload: Uint8Array;
  /** Default "HTTP/1.1". */
  httpVersion?: string;
}

export interface E2eSealInput {
  httpRequest: E2eHttpRequest;
  model: string;
  maxTokens: number;
  maxCoefficient: number;
  timeoutMs: number;
  recipients: readonly VerifiedE2eKey[];
}

export interface SealedE2eRequest {
  /** Boxed ext.e2eRequest: the `query` of client.runQueryEx. */
  bytes: Uint8Array;
  requestId: Uint8Array;
  headerHash: Uint8Array;
  requestHash: Uint8Array;
  recipients: readonly VerifiedE2eKey[];
  answer: E2eAnswerOpener;
}

export interface E2eRequestSealerOptions {
  random?: (length: number) => Uint8Array;
  now?: () => number;
  /** The HPKE sender contexts (default: a new cache; share one to share contexts). */
  hpke?: E2eHpkeSenderCache;
  primitives?: E2ePrimitives;
}

/** SHA-256("cocoon-e2e-1 header\0" ‖ bare header). */
export function e2eHeaderHash(header: ExtE2eRequestHeader, primitives: E2ePrimitives = e2ePrimitives()): Uint8Array {
  return primitives.sha256(concatBytes(HEADER_PREFIX, encodeE2eBare<'ext.e2eRequestHeader'>(header)));
}

/** The per-request keys of content key K (body, answer) and of an exporter secret (wrap). */
export function e2eDerivedKey(primitives: E2ePrimitives, ikm: Uint8Array, headerHash: Uint8Array, purpose: 'request' | 'answer' | 'wrap'): Uint8Array {
  const info = purpose === 'request' ? INFO_REQUEST : purpose === 'answer' ? INFO_ANSWER : INFO_WRAP;
  return primitives.hkdfSha256(ikm, headerHash, info, 32);
}

export class E2eRequestSealer {
  readonly hpke: E2eHpkeSenderCache;
  private readonly random: ((length: number) => Uint8Array) | undefined;
  private readonly now: () => number;
  private readonly primitivesOverride: E2ePrimitives | undefined;

  constructor(options: E2eRequestSealerOptions = {}) {
    this.random = options.random;
    this.now = options.now ?? Date.now;
    this.hpke = options.hpke ?? new E2eHpkeSenderCache({ now: this.now });
    this.primitivesOverride = options.primitives;
  }

  async seal(input: E2eSealInput): Promise<SealedE2eRequest> {
    const primitives = this.primitivesOverride ?? e2ePrimitives();
    const random = this.random ?? ((length: number) => primitives.randomBytes(length));
    const recipients = checkRecipients(input.recipients, this.now());
    const contexts = await Promise.all(recipients.map((key) => this.hpke.context(key.hpkePublicKey)));
    const requestId = Uint8Array.from(random(REQUEST_ID_BYTES));
    const contentKey = Uint8Array.from(random(CONTENT_KEY_BYTES));
    if (requestId.length !== REQUEST_ID_BYTES || contentKey.length !== CONTENT_KEY_BYTES) throw new CocoonError('CCN_ERR_INTERNAL', 'e2e: the random source returned too few bytes');
    const header: ExtE2eRequestHeader = {
      _: 'ext.e2eRequestHeader', version: E2E_VERSION, request_id: tlBytes(requestId), model: input.model,
      created_at_ms: BigInt(Math.trunc(this.now())), max_tokens: input.maxTokens, max_coefficient: input.maxCoefficient,
      timeout_ms: input.timeoutMs, recipients: recipients.map((key) => tlBytes(key.hpkePublicKey)),
    };
    const headerHash = e2eHeaderHash(header, primitives);
    const body = encodeE2eBoxed<'http.request'>({
      _: 'http.request', method: input.httpRequest.method, url: input.httpRequest.url, http_version: input.httpRequest.httpVersion ?? 'HTTP/1.1',
      headers: input.httpRequest.headers.map((header): HttpHeader => ({ _: 'http.header', name: header.name, value: header.value })),
      payload: tlBytes(input.httpRequest.payload),
    });
    const ciphertext = primitives.aes256GcmSeal(e2eDerivedKey(primitives, contentKey, headerHash, 'request'), ZERO_NONCE, headerHash, body);
    const entries: ExtE2eRecipient[] = recipients.map((key, index) => {
      const { enc, secret } = contexts[index]!;
      const wrapped = primitives.aes256GcmSeal(e2eDerivedKey(primitives, secret, headerHash, 'wrap'), ZERO_NONCE, headerHash, contentKey);
      return { _: 'ext.e2eRecipient', hpke_public_key: tlBytes(key.hpkePublicKey), enc: tlBytes(enc), wrapped_key: tlBytes(wrapped) };
    });
    const bytes = encodeE2eBoxed<'ext.e2eRequest'>({ _: 'ext.e2eRequest', header, recipients: entries, ciphertext: tlBytes(ciphertext) });
    const requestHash = primitives.sha256(bytes);
    const answer = new E2eAnswerOpener({
      answerKey: e2eDerivedKey(primitives, contentKey, headerHash, 'answer'), headerHash, requestId, requestHash, recipients, primitives,
    });
    contentKey.fill(0);
    return { bytes, requestId, headerHash, requestHash, recipients, answer };
  }
}

function checkRecipients(recipients: readonly VerifiedE2eKey[], nowMs: number): readonly VerifiedE2eKey[] {
  if (recipients.length === 0) throw new CocoonError('CCN_ERR_E2E_NO_RECIPIENT', 'e2e: no verified worker key to seal the request to');
  const seen = new Set<string>();
  for (const key of recipients) {
    if (key.hpkePublicKey.length !== 32 || key.signingPublicKey.length !== 32) throw new CocoonError('CCN_ERR_E2E_EVIDENCE_INVALID', 'e2e: a recipient key is not 32 bytes');
    if (key.validUntil * 1000 <= nowMs) throw new CocoonError('CCN_ERR_E2E_EVIDENCE_INVALID', `e2e: a recipient key expired at ${key.validUntil} (unix seconds)`);
    const id = hexId(key.hpkePublicKey);
    if (seen.has(id)) throw new CocoonError('CCN_ERR_INTERNAL', 'e2e: the same recipient key twice');
    seen.add(id);
  }
  return [...recipients];
}
