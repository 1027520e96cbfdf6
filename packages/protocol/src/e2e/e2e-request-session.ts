/**
 * One end-to-end request from the client's side (§22), for the client runner and the SDK: verify the
 * proxy's worker list (each evidence once, cached by its hash), pick up to `maxRecipients` keys in the
 * proxy's order within max_coefficient, seal, then follow the answer: chunks in order (chunk 0 is the
 * http.response), the receipt (it comes just before the last message), and the end.
 */
import { CocoonError, isCocoonError } from '../errors/error-table.ts';
import type { ExtE2eSignedReceipt, ExtE2eWorker, HttpResponse } from '../tl/generated/cocoon-api-types.ts';
import { bytesEqual, e2eModelBaseName, hexId } from './e2e-labels.ts';
import { decodeE2eBoxed } from './e2e-tl.ts';
import { e2eEvidenceHash } from './e2e-key-set.ts';
import { E2eRequestSealer, type E2eSealInput, type SealedE2eRequest } from './e2e-request-sealer.ts';
import type { E2eEvidenceVerifier, VerifiedE2eKey } from './e2e-evidence-verifier.ts';
import type { VerifiedE2eReceipt } from './e2e-receipt.ts';

export interface E2eRequestSessionOptions {
  verifier: E2eEvidenceVerifier;
  sealer?: E2eRequestSealer;
  /** Default 3. */
  maxRecipients?: number;
  now?: () => number;
  /** How long verified evidence is reused (default 5 minutes; keys past valid_until are dropped anyway). */
  evidenceCacheMs?: number;
  /** Verified evidences kept (default 256). */
  evidenceCacheEntries?: number;
}

export interface E2eWorkerRefusal {
  /** Index in the proxy's list. */
  index: number;
  error: CocoonError;
}

interface CachedEvidence {
  verifiedAt: number;
  keys: VerifiedE2eKey[];
}

export class E2eRequestSession {
  readonly sealer: E2eRequestSealer;
  private readonly options: E2eRequestSessionOptions;
  private readonly now: () => number;
  private readonly evidence = new Map<string, CachedEvidence>();
  /** Evidence verifications performed (cache misses). */
  verifications = 0;

  constructor(options: E2eRequestSessionOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.sealer = options.sealer ?? new E2eRequestSealer({ now: this.now });
  }

  /** The usable keys of the proxy's list, in its order; workers whose evidence fails are reported, not fatal. */
  async verifiedKeys(workers: readonly ExtE2eWorker[], model: string): Promise<{ keys: VerifiedE2eKey[]; refused: E2eWorkerRefusal[] }> {
    const keys: VerifiedE2eKey[] = [];
    const refused: E2eWorkerRefusal[] = [];
    const nowMs = this.now();
    for (const [index, worker] of workers.entries()) {
      try {
        for (const key of await this.verifiedWorkerKeys(worker, model, nowMs)) {
          if (!keys.some((known) => bytesEqual(known.hpkePublicKey, key.hpkePublicKey))) keys.push(key);
        }
      } catch (error) {
        refused.push({ index, error: isCocoonError(error) ? error : new CocoonError('CCN_ERR_E2E_EVIDENCE_INVALID', String(error), { cause: error }) });
      }
    }
    return { keys, refused };
  }

  private async verifiedWorkerKeys(worker: ExtE2eWorker, model: string, nowMs: number): Promise<VerifiedE2eKey[]> {
    const id = `${e2eModelBaseName(model)}:${hexId(e2eEvidenceHash(worker.evidence))}`;
    const maxAge = this.options.evidenceCacheMs ?? 5 * 60_000;
    let cached = this.evidence.get(id);
    if (cached === undefined || nowMs - cached.verifiedAt >= maxAge || nowMs < cached.verifiedAt) {
      this.verifications++;
      cached = { verifiedAt: nowMs, keys: await this.options.verifier.verify(worker, { model, now: new Date(nowMs) }) };
      this.evidence.delete(id);
      this.evidence.set(id, cached);
      while (this.evidence.size > (this.options.evidenceCacheEntries ?? 256)) this.evidence.delete(this.evidence.keys().next().value as string);
    }
    return cached.keys
      .filter((key) => key.validUntil * 1000 > nowMs)
      .map((key) => ({ ...key, coefficient: worker.coefficient }));
  }

  /** Up to maxRecipients keys within `maxCoefficient`, in the given (proxy's) order. */
  pickRecipients(keys: readonly VerifiedE2eKey[], maxCoefficient: number): VerifiedE2eKey[] {
    return keys.filter((key) => key.coefficient <= maxCoefficient).slice(0, Math.max(1, this.options.maxRecipients ?? 3));
  }

  /** Verifies, picks and seals; throws CCN_ERR_E2E_NO_RECIPIENT when no worker qualifies (the refusals as cause). */
  async start(input: Omit<E2eSealInput, 'recipients'> & { workers: readonly ExtE2eWorker[] }): Promise<E2eExchange> {
    const { keys, refused } = await this.verifiedKeys(input.workers, input.model);
    const recipients = this.pickRecipients(keys, input.maxCoefficient);
    if (recipients.length === 0) {
      const detail = refused.length > 0 ? `; ${refused.length} worker(s) refused: ${refused[0]!.error.message}` : '';
      throw new CocoonError('CCN_ERR_E2E_NO_RECIPIENT', `no verified e2e worker key for ${input.model} within max_coefficient ${input.maxCoefficient}${detail}`, {
        cause: refused.length > 0 ? refused.map((entry) => entry.error) : undefined,
      });
    }
    return new E2eExchange(await this.sealer.seal({ ...input, recipients }));
  }
}

export interface E2eOpenedChunk {
  seq: number;
  final: boolean;
  plaintext: Uint8Array;
  /** Chunk 0 only: the decoded http.response (its payload = the first body bytes). */
  response?: HttpResponse;
  /** Body bytes of this chunk (chunk 0: the response payload; later chunks: the plaintext). */
  body: Uint8Array;
}

/** The answer side of one sealed request. */
export class E2eExchange {
  private receiptValue: ExtE2eSignedReceipt | Uint8Array | undefined;

  constructor(readonly sealed: SealedE2eRequest) {}

  /** Opens the next chunk; throws CCN_ERR_E2E_ANSWER_TAMPERED (or CCN_ERR_PROTOCOL_DECODE for a chunk 0 that is no http.response). */
  chunk(bytes: Uint8Array): E2eOpenedChunk {
    const opened = this.sealed.answer.open(bytes);
    if (opened.seq !== 0) return { ...opened, body: opened.plaintext };
    const response = decodeE2eBoxed(opened.plaintext, 'CCN_ERR_PROTOCOL_DECODE', 'e2e answer chunk 0', 'http.response');
    return { ...opened, response, body: response.payload };
  }

  /** Keeps the receipt until the end (a second one is CCN_ERR_E2E_RECEIPT_INVALID). */
  receipt(receipt: ExtE2eSignedReceipt | Uint8Array): void {
    if (this.receiptValue !== undefined) throw new CocoonError('CCN_ERR_E2E_RECEIPT_INVALID', 'e2e receipt: a second receipt for one request');
    this.receiptValue = receipt;
  }

  /** The answer ended successfully: the final chunk must have come and the receipt must check. */
  complete(): VerifiedE2eReceipt {
    this.sealed.answer.finish();
    if (this.receiptValue === undefined) throw new CocoonError('CCN_ERR_E2E_RECEIPT_INVALID', 'e2e receipt: the answer ended without a receipt');
    return this.sealed.answer.verifyReceipt(this.receiptValue);
  }

  /** The request ended with an error: the receipt, when one came, must check (and say so). */
  fail(): VerifiedE2eReceipt | undefined {
    if (this.receiptValue === undefined) return undefined;
    const verified = this.sealed.answer.verifyReceipt(this.receiptValue);
    if (verified.status === 0) throw new CocoonError('CCN_ERR_E2E_RECEIPT_INVALID', 'e2e receipt: status ok on a request that failed');
    return verified;
  }
}
