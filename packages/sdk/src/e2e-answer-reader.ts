/**
 * Turns the relay's NDJSON events of one sealed request into the app's answer with the protocol's
 * E2eExchange: opens each chunk in order (the first one is the worker's http.response: status,
 * headers, first body bytes), keeps the receipt, and at the end checks that the final chunk came and
 * that the receipt verifies. The plaintext of the final chunk is handed out only after those checks,
 * so an app that reads an answer to its end has read a complete, untampered, receipted answer;
 * anything else ends the body with the error (CCN_ERR_E2E_ANSWER_TAMPERED / _TRUNCATED /
 * _RECEIPT_INVALID, or the request's own error).
 */
import { CocoonError } from '@cocoon/protocol/browser';
import type { E2eExchange, HttpResponse, VerifiedE2eReceipt } from '@cocoon/protocol/browser';
import type { E2eRelayEvent } from './ndjson-events.ts';

export interface OpenedAnswerHead {
  status: number;
  reason: string;
  headers: Array<[name: string, value: string]>;
}

export class E2eAnswerReader {
  private head: OpenedAnswerHead | undefined;
  private verified: VerifiedE2eReceipt | undefined;
  /** Body pieces opened but not handed out yet (the final chunk's waits in `held` until the checks pass). */
  private readonly ready: Uint8Array[] = [];
  private held: Uint8Array | undefined;
  private ended = false;

  constructor(private readonly exchange: E2eExchange, private readonly events: AsyncGenerator<E2eRelayEvent>) {}

  /** Reads up to the first chunk: the worker's status and headers. */
  async open(): Promise<OpenedAnswerHead> {
    while (this.head === undefined) {
      if (!(await this.step())) {
        this.exchange.sealed.answer.finish();
        throw new CocoonError('CCN_ERR_E2E_ANSWER_TRUNCATED', 'e2e answer: the relay ended the answer before its first chunk');
      }
    }
    return this.head;
  }

  /** The verified receipt, once the body was read to its end. */
  get receipt(): VerifiedE2eReceipt | undefined {
    return this.verified;
  }

  /** The body pieces, in order; throws the answer's error instead of ending early. */
  async *body(): AsyncGenerator<Uint8Array> {
    await this.open();
    for (;;) {
      while (this.ready.length > 0) {
        const piece = this.ready.shift()!;
        if (piece.length > 0) yield piece;
      }
      if (this.ended) return;
      if (!(await this.step()) && !this.ended) {
        this.exchange.sealed.answer.finish(); // TRUNCATED (or TAMPERED) when the chunks are what is wrong
        throw new CocoonError('CCN_ERR_E2E_ANSWER_TRUNCATED', 'e2e answer: the relay ended the answer without its end line');
      }
    }
  }

  /** Stops reading (the app stopped early). */
  async cancel(): Promise<void> {
    await this.events.return(undefined);
  }

  /** Handles one event; false when the relay's stream ended. */
  private async step(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.events.next();
    if (next.done) return false;
    const event = next.value;
    switch (event.type) {
      case 'chunk': {
        const chunk = this.exchange.chunk(event.data);
        if (chunk.response) this.head = headOf(chunk.response);
        if (chunk.final) this.held = Uint8Array.from(chunk.body);
        else this.ready.push(Uint8Array.from(chunk.body));
        return true;
      }
      case 'receipt':
        this.exchange.receipt(event.data);
        return true;
      case 'error':
        this.ended = true;
        this.exchange.fail(); // a receipt that came must still check (RECEIPT_INVALID otherwise)
        throw event.error;
      case 'end':
        this.verified = this.exchange.complete();
        this.ended = true;
        if (this.held !== undefined) this.ready.push(this.held);
        this.held = undefined;
        return true;
    }
  }
}

function headOf(response: HttpResponse): OpenedAnswerHead {
  if (!Number.isInteger(response.status_code) || response.status_code < 200 || response.status_code > 599) {
    throw new CocoonError('CCN_ERR_PROTOCOL_DECODE', `e2e answer: HTTP status ${response.status_code} is not one an answer can have`);
  }
  return { status: response.status_code, reason: String(response.reason), headers: response.headers.map((header) => [String(header.name), String(header.value)]) };
}
