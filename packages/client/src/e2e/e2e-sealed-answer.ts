/**
 * The answer of a request the client runner sealed itself (§22), as a normal GatewayAnswer: every
 * chunk is opened in order (chunk 0 is the worker's http.response: status, headers, first body bytes),
 * the receipt is checked against the request and the decrypted answer, and the answer carries
 * `X-Cocoon-E2E: 1` and `X-Cocoon-Receipt-Id`. A streamed answer flows as chunks open (credit granted
 * as the app reads, by wire bytes); a failure after the headers — a tampered or truncated answer, a
 * receipt that is missing or does not check — fails the body, which the HTTP edge ends with an error
 * event. A non-streamed answer is held until its receipt checked, so it fails as a plain error answer.
 * Every outcome is written to the receipt store.
 */
import { CocoonError, toHex, unixSecondsHeader } from '@cocoon/protocol';
import type { E2eExchange, ExtE2eSignedReceipt, TokensUsed, VerifiedE2eReceipt } from '@cocoon/protocol';
import type { GatewayAnswer, GatewayUsage } from '../http/index.ts';
import { AnswerBodyQueue } from '../gateway/answer-body-queue.ts';
import type { E2eAnswerEvents, E2eAnswerListener } from './e2e-answer-listener.ts';
import type { E2eClient } from './e2e-client.ts';
import { checkedReceipt, verifiedStoredReceipt } from './e2e-receipt-record.ts';

/** Largest non-streamed answer held for its receipt. */
export const MAX_HELD_ANSWER_BYTES = 64 * 1024 * 1024;

export class E2eSealedAnswer implements E2eAnswerEvents {
  readonly answer: Promise<GatewayAnswer>;
  readonly idHex: string;
  private resolveAnswer!: (answer: GatewayAnswer) => void;
  private rejectAnswer!: (error: Error) => void;
  private resolveUsage!: (usage: GatewayUsage | undefined) => void;
  private readonly usage: Promise<GatewayUsage | undefined>;
  private head: { status: number; headers: Record<string, string> } | undefined;
  private readonly held: Buffer[] = [];
  private heldBytes = 0;
  private body: AnswerBodyQueue | undefined;
  private receiptValue: ExtE2eSignedReceipt | undefined;
  /** Wire bytes of each chunk pushed to the body, granted back as the app takes it. */
  private readonly grants: number[] = [];
  private ended = false;
  listener: E2eAnswerListener | undefined;

  constructor(
    private readonly exchange: E2eExchange,
    private readonly e2e: E2eClient,
    private readonly stream: boolean,
    private readonly startedAt: number,
  ) {
    this.idHex = toHex(exchange.sealed.requestId);
    this.answer = new Promise((resolve, reject) => { this.resolveAnswer = resolve; this.rejectAnswer = reject; });
    this.usage = new Promise((resolve) => { this.resolveUsage = resolve; });
    this.answer.catch(() => undefined);
  }

  chunk(bytes: Buffer, completed: boolean): void {
    try {
      const opened = this.exchange.chunk(bytes);
      if (opened.final !== completed) throw new CocoonError('CCN_ERR_E2E_ANSWER_TAMPERED', 'e2e answer: the final chunk flag does not match the last message');
      if (opened.response) {
        const headers: Record<string, string> = {};
        for (const header of opened.response.headers) headers[header.name.toLowerCase()] = header.value;
        headers['x-cocoon-client-start'] = unixSecondsHeader(this.startedAt);
        headers['x-cocoon-e2e'] = '1';
        headers['x-cocoon-receipt-id'] = this.idHex;
        this.head = { status: opened.response.status_code, headers };
        if (this.stream) {
          this.body = new AnswerBodyQueue({ onConsumed: () => this.listener?.grant(this.grants.shift() ?? 0) });
          this.resolveAnswer({ ...this.head, body: this.body, usage: this.usage });
        }
      } else if (!this.head) {
        throw new CocoonError('CCN_ERR_E2E_ANSWER_TAMPERED', 'e2e answer: a body chunk before the response');
      }
      this.deliver(Buffer.from(opened.body), bytes.length);
    } catch (error) {
      this.listener?.abort(error instanceof Error ? error : new Error(String(error)));
    }
  }

  receipt(receipt: ExtE2eSignedReceipt): void {
    try {
      this.exchange.receipt(receipt);
      this.receiptValue = receipt;
    } catch (error) {
      this.listener?.abort(error instanceof Error ? error : new Error(String(error)));
    }
  }

  end(tokens: TokensUsed | undefined): void {
    try {
      const verified = this.exchange.complete(); // final chunk came, the receipt is there and checks
      this.keepReceipt(verified);
    } catch (error) {
      this.keepReceipt();
      this.fail(error instanceof Error ? error : new Error(String(error)), tokens);
      return;
    }
    this.e2e.finish(this.idHex, undefined);
    this.ended = true;
    if (this.body) this.body.end();
    else this.resolveAnswer({ ...this.head!, body: heldBody(this.held), usage: this.usage });
    this.resolveUsage(usageOf(tokens, this.e2e.pricePerToken()));
  }

  error(error: Error, tokens: TokensUsed | undefined): void {
    this.keepReceipt();
    this.fail(error, tokens);
  }

  private deliver(plaintext: Buffer, wireBytes: number): void {
    if (this.body) {
      if (plaintext.length === 0) {
        this.listener?.grant(wireBytes);
        return;
      }
      this.grants.push(wireBytes);
      this.body.push(plaintext);
      return;
    }
    this.heldBytes += plaintext.length;
    if (this.heldBytes > MAX_HELD_ANSWER_BYTES) throw new CocoonError('CCN_ERR_ENGINE_FAILED', `the answer is larger than ${MAX_HELD_ANSWER_BYTES} bytes`);
    this.held.push(plaintext);
    this.listener?.grant(wireBytes);
  }

  /** Stores the receipt as checked (or with the reason it does not check); `verified`: it already checked, as this one. */
  private keepReceipt(verified?: VerifiedE2eReceipt): void {
    const receipt = this.receiptValue;
    if (!receipt) return;
    this.receiptValue = undefined;
    if (verified?.signed === receipt) {
      this.e2e.saveReceipt(this.idHex, verifiedStoredReceipt(verified));
      return;
    }
    const sealed = this.exchange.sealed;
    this.e2e.saveReceipt(this.idHex, checkedReceipt(receipt, {
      requestId: sealed.requestId, requestHash: sealed.requestHash, answerHash: sealed.answer.answerHash, answerChunks: sealed.answer.chunks, recipients: sealed.recipients,
    }));
  }

  private fail(error: Error, tokens: TokensUsed | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.e2e.finish(this.idHex, error);
    if (this.body) this.body.fail(error);
    else this.rejectAnswer(error);
    this.resolveUsage(usageOf(tokens, this.e2e.pricePerToken()));
  }
}

function usageOf(tokens: TokensUsed | undefined, pricePerToken: bigint): GatewayUsage | undefined {
  if (!tokens) return undefined;
  return { totalTokens: Number(tokens.total_tokens_used), costNanoton: tokens.total_tokens_used * pricePerToken };
}

async function* heldBody(chunks: readonly Buffer[]): AsyncGenerator<Buffer> {
  for (const chunk of chunks) yield chunk;
}
