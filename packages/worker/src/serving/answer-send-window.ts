/**
 * When the worker may read more of one request's engine body (§19): while its session to the proxy
 * can take more bytes (the socket's write buffer is below its high-water mark) and, where the proxy
 * negotiated per-request credit, while the request has credit left. Otherwise the engine body is
 * paused, so answer bytes wait in the engine (TCP backpressure), not in the worker's memory.
 */
import { INITIAL_ANSWER_CREDIT_BYTES } from '@cocoon/protocol';
import type { ReadGate } from '../engine/index.ts';

/** The part of a CocoonSession the window watches. */
export interface WritableSession {
  readonly writable: boolean;
  on(event: 'drain', listener: () => void): unknown;
  off(event: 'drain', listener: () => void): unknown;
}

export class AnswerSendWindow implements ReadGate {
  readonly #session: WritableSession | undefined;
  readonly #useCredit: boolean;
  #credit: number;
  #closed = false;
  #waiters: Array<() => void> = [];
  readonly #onDrain = (): void => this.#wake();

  /** `useCredit`: the proxy grants credit (ext.grantCredit); without it only the session's buffer counts. */
  constructor(session: WritableSession | undefined, useCredit: boolean, initialCreditBytes = INITIAL_ANSWER_CREDIT_BYTES) {
    this.#session = session;
    this.#useCredit = useCredit;
    this.#credit = initialCreditBytes;
  }

  get open(): boolean {
    if (this.#closed) return true;
    return (this.#session?.writable ?? true) && (!this.#useCredit || this.#credit > 0);
  }

  /** Credit left (meaningful with credit only). */
  get credit(): number {
    return this.#credit;
  }

  /** Answer bytes about to be sent. */
  consume(bytes: number): void {
    this.#credit -= bytes;
  }

  /** ext.grantCredit from the proxy. */
  grant(bytes: number): void {
    if (!(bytes > 0)) return;
    this.#credit += bytes;
    this.#wake();
  }

  whenOpen(): Promise<void> {
    if (this.open) return Promise.resolve();
    if (this.#waiters.length === 0) this.#session?.on('drain', this.#onDrain);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** The request ended or was cancelled: nothing waits any more. */
  close(): void {
    this.#closed = true;
    this.#wake();
  }

  #wake(): void {
    if (this.#waiters.length === 0 || !this.open) return;
    this.#session?.off('drain', this.#onDrain);
    for (const resolve of this.#waiters.splice(0)) resolve();
  }
}
