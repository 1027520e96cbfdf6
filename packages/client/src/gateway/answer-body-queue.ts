/**
 * A push-fed async iterable of body chunks: the session pushes answer parts as they arrive, the
 * HTTP edge pulls them. Chunks are handed over as soon as they exist. Bounded (§19): each chunk the
 * edge has taken and written (it pulls the next one only after its socket drained) is reported to
 * `onConsumed`, which grants the proxy credit; a proxy that sends beyond `maxQueuedBytes` anyway
 * (a reference proxy has no credit) makes the queue `hold` reading of the whole proxy session until
 * half of it has been consumed.
 */

export interface AnswerBodyQueueOptions {
  /** Bytes the HTTP edge has taken (after its previous write drained). */
  onConsumed?(bytes: number): void;
  /** Pauses reading the proxy session; returns the release. */
  hold?(): () => void;
  /** Bytes queued before `hold` is used (default 4 MiB). */
  maxQueuedBytes?: number;
}

export const DEFAULT_MAX_QUEUED_BODY_BYTES = 4 * 1024 * 1024;

export class AnswerBodyQueue implements AsyncIterable<Buffer> {
  private readonly chunks: Buffer[] = [];
  private queuedBytes = 0;
  private ended = false;
  private failure: Error | undefined;
  private waiter: (() => void) | undefined;
  private release: (() => void) | undefined;
  private readonly maxQueuedBytes: number;

  constructor(private readonly options: AnswerBodyQueueOptions = {}) {
    this.maxQueuedBytes = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BODY_BYTES;
  }

  /** Bytes waiting for the HTTP edge. */
  get pendingBytes(): number {
    return this.queuedBytes;
  }

  /** Whether the proxy session is paused because of this queue. */
  get holding(): boolean {
    return this.release !== undefined;
  }

  push(chunk: Buffer): void {
    if (this.ended || chunk.length === 0) return;
    this.chunks.push(chunk);
    this.queuedBytes += chunk.length;
    if (this.queuedBytes > this.maxQueuedBytes && !this.release && this.options.hold) this.release = this.options.hold();
    this.wake();
  }

  end(): void {
    this.ended = true;
    this.wake();
  }

  fail(error: Error): void {
    if (this.ended) return;
    this.failure = error;
    this.ended = true;
    this.chunks.length = 0;
    this.queuedBytes = 0;
    this.releaseHold();
    this.wake();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  private consumed(bytes: number): void {
    this.queuedBytes -= bytes;
    if (this.release && this.queuedBytes <= this.maxQueuedBytes / 2) this.releaseHold();
    this.options.onConsumed?.(bytes);
  }

  private releaseHold(): void {
    const release = this.release;
    this.release = undefined;
    release?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    try {
      for (;;) {
        const chunk = this.chunks.shift();
        if (chunk) {
          yield chunk;
          this.consumed(chunk.length); // the edge asked for more: this one is written
          continue;
        }
        if (this.failure) throw this.failure;
        if (this.ended) return;
        await new Promise<void>((resolve) => { this.waiter = resolve; });
      }
    } finally {
      this.releaseHold(); // ended, failed or abandoned by the edge
    }
  }
}
