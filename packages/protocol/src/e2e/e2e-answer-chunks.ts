/**
 * The answer of an end-to-end request as sealed chunks (§22): boxed ext.e2eAnswerChunk{seq, flags,
 * ciphertext}, AES-256-GCM under the answer key with nonce 8 zero bytes ‖ seq and AAD headerHash ‖ seq
 * ‖ final, so a chunk dropped, reordered, replayed, moved from another request or altered fails, and
 * an answer cut short lacks its final chunk. answerHash = SHA-256 over every chunk's boxed bytes in order.
 */
import { CocoonError } from '../errors/error-table.ts';
import type { ExtE2eSignedReceipt } from '../tl/generated/cocoon-api-types.ts';
import { FINAL_CHUNK_FLAG, chunkAad, chunkNonce } from './e2e-labels.ts';
import { e2ePrimitives, type E2ePrimitives, type E2eSha256Hasher } from './e2e-primitives.ts';
import { decodeE2eBoxed, encodeE2eBoxed, tlBytes } from './e2e-tl.ts';
import { checkE2eReceipt, type VerifiedE2eReceipt } from './e2e-receipt.ts';
import type { VerifiedE2eKey } from './e2e-evidence-verifier.ts';

/** TL `int`: the largest seq a chunk can carry. */
const MAX_SEQ = 0x7fff_ffff;

/** Worker side: seals the answer's messages in order. */
export class E2eAnswerSealer {
  private readonly primitives: E2ePrimitives;
  private readonly hasher: E2eSha256Hasher;
  private sealedChunks = 0;
  private ended = false;

  constructor(private readonly answerKey: Uint8Array, private readonly headerHash: Uint8Array, primitives?: E2ePrimitives) {
    this.primitives = primitives ?? e2ePrimitives();
    this.hasher = this.primitives.createSha256();
  }

  /** Boxed ext.e2eAnswerChunk bytes of the next message; `final` on the last one (then no more). */
  seal(plaintext: Uint8Array, final: boolean): Uint8Array {
    if (this.ended) throw new CocoonError('CCN_ERR_INTERNAL', 'e2e answer: a chunk after the final chunk');
    const seq = this.sealedChunks;
    if (seq > MAX_SEQ) throw new CocoonError('CCN_ERR_INTERNAL', 'e2e answer: too many chunks');
    const ciphertext = this.primitives.aes256GcmSeal(this.answerKey, chunkNonce(seq), chunkAad(this.headerHash, seq, final), plaintext);
    const bytes = encodeE2eBoxed<'ext.e2eAnswerChunk'>({ _: 'ext.e2eAnswerChunk', seq, flags: final ? FINAL_CHUNK_FLAG : 0, ciphertext: tlBytes(ciphertext) });
    this.hasher.update(bytes);
    this.sealedChunks++;
    this.ended = final;
    return bytes;
  }

  get answerHash(): Uint8Array {
    return this.hasher.peek();
  }

  get chunks(): number {
    return this.sealedChunks;
  }

  /** Whether the final chunk was sealed. */
  get complete(): boolean {
    return this.ended;
  }
}

export interface E2eAnswerOpenerOptions {
  answerKey: Uint8Array;
  headerHash: Uint8Array;
  requestId: Uint8Array;
  requestHash: Uint8Array;
  recipients: readonly VerifiedE2eKey[];
  primitives?: E2ePrimitives;
}

/** Client side: opens the chunks in order, then checks the end and the receipt. */
export class E2eAnswerOpener {
  private readonly options: E2eAnswerOpenerOptions;
  private readonly primitives: E2ePrimitives;
  private readonly hasher: E2eSha256Hasher;
  private openedChunks = 0;
  private ended = false;
  private broken: CocoonError | undefined;

  constructor(options: E2eAnswerOpenerOptions) {
    this.options = options;
    this.primitives = options.primitives ?? e2ePrimitives();
    this.hasher = this.primitives.createSha256();
  }

  private tampered(what: string): CocoonError {
    this.broken = new CocoonError('CCN_ERR_E2E_ANSWER_TAMPERED', `e2e answer: ${what}`);
    return this.broken;
  }

  /** The plaintext of the next chunk; throws CCN_ERR_E2E_ANSWER_TAMPERED (and every later call too). */
  open(chunkBytes: Uint8Array): { plaintext: Uint8Array; final: boolean; seq: number } {
    if (this.broken !== undefined) throw this.broken;
    if (this.ended) throw this.tampered('a chunk after the final chunk');
    let chunk;
    try {
      chunk = decodeE2eBoxed(chunkBytes, 'CCN_ERR_E2E_ANSWER_TAMPERED', 'e2e answer chunk', 'ext.e2eAnswerChunk');
    } catch (error) {
      this.broken = error as CocoonError;
      throw error;
    }
    const seq = this.openedChunks;
    if (chunk.seq !== seq) throw this.tampered(`chunk ${chunk.seq} where chunk ${seq} was due`);
    const flags = chunk.flags ?? 0;
    if ((flags & ~FINAL_CHUNK_FLAG) !== 0) throw this.tampered(`unknown chunk flags ${flags}`);
    const final = (flags & FINAL_CHUNK_FLAG) !== 0;
    const plaintext = this.primitives.aes256GcmOpen(this.options.answerKey, chunkNonce(seq), chunkAad(this.options.headerHash, seq, final), chunk.ciphertext);
    if (plaintext === undefined) throw this.tampered(`chunk ${seq} failed authentication`);
    this.hasher.update(chunkBytes);
    this.openedChunks++;
    this.ended = final;
    return { plaintext, final, seq };
  }

  /** Call when the answer ended successfully: throws CCN_ERR_E2E_ANSWER_TRUNCATED unless the final chunk came. */
  finish(): void {
    if (this.broken !== undefined) throw this.broken;
    if (!this.ended) throw new CocoonError('CCN_ERR_E2E_ANSWER_TRUNCATED', `e2e answer: ended after ${this.openedChunks} chunk(s) without its final chunk`);
  }

  get answerHash(): Uint8Array {
    return this.hasher.peek();
  }

  get chunks(): number {
    return this.openedChunks;
  }

  /** Whether the final chunk came. */
  get complete(): boolean {
    return this.ended;
  }

  /**
   * Checks the receipt against this request and the chunks opened so far (the receipt travels just
   * before the last message: call this after the final chunk, or after the request's error). A
   * successful (status 0) receipt needs the final chunk. Throws CCN_ERR_E2E_RECEIPT_INVALID.
   */
  verifyReceipt(signed: ExtE2eSignedReceipt | Uint8Array): VerifiedE2eReceipt {
    if (this.broken !== undefined) throw new CocoonError('CCN_ERR_E2E_RECEIPT_INVALID', 'e2e receipt: the answer was tampered with', { cause: this.broken });
    const verified = checkE2eReceipt(signed, {
      requestId: this.options.requestId, requestHash: this.options.requestHash, answerHash: this.answerHash,
      answerChunks: this.openedChunks, recipients: this.options.recipients,
    });
    if (verified.status === 0 && !this.ended) throw new CocoonError('CCN_ERR_E2E_RECEIPT_INVALID', 'e2e receipt: status ok, but the answer has no final chunk');
    return verified;
  }
}
