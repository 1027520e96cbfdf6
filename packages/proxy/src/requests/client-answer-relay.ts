/**
 * The proxy's bounded relay of one request's answer messages to its client (§19). Messages leave
 * in order while the client session can take more (its socket buffer is below the high-water mark)
 * and, where the client negotiated credit, while the request has client credit left; the rest
 * waits here. What leaves is granted back to a credit-capable worker (ext.grantCredit), so the
 * worker never has more than its window in flight. A worker without credit (a reference worker)
 * cannot be slowed per request: when this request holds more than `maxQueuedBytes`, reading
 * that worker's whole connection pauses until half of it has drained (head-of-line for the other
 * requests on that worker connection, but bounded memory). A final message, and an end-to-end
 * receipt (§22, pushed `uncredited` right before it), never wait for credit.
 */
import { INITIAL_ANSWER_CREDIT_BYTES } from '@cocoon/protocol';
import type { TlObject } from '@cocoon/protocol';
import type { ProxyRequestSink, WorkerLink } from './proxy-request-context.ts';

/** Grants go back to the worker in batches of at least this many bytes. */
export const WORKER_GRANT_BATCH_BYTES = 64 * 1024;
/** Default bound of what one request may hold here before a credit-less worker connection is paused. */
export const DEFAULT_MAX_QUEUED_ANSWER_BYTES = 4 * INITIAL_ANSWER_CREDIT_BYTES;

interface Queued {
  message: TlObject;
  bytes: number;
  final: boolean;
  /** Leaves without client credit (a final message, an e2e receipt); still in order, still behind a full socket. */
  uncredited: boolean;
}

export class ClientAnswerRelay {
  private readonly queue: Queued[] = [];
  private queuedBytes = 0;
  private clientCredit: number;
  private worker: { link: WorkerLink; requestId: Buffer } | undefined;
  private ungranted = 0;
  private releaseWorkerHold: (() => void) | undefined;
  private dropped = false;
  private finished = false;
  private readonly finishedCallbacks: Array<() => void> = [];

  constructor(private readonly sink: ProxyRequestSink, private readonly maxQueuedBytes = DEFAULT_MAX_QUEUED_ANSWER_BYTES) {
    this.clientCredit = sink.extensions?.has('credit') ? INITIAL_ANSWER_CREDIT_BYTES : Number.POSITIVE_INFINITY;
  }

  /**
   * Called once when nothing will leave any more: the final message went out, or the answer was
   * dropped. Until then the owner must keep calling `flush` on the client session's 'drain', even
   * after the request itself has ended (its final message may still wait here).
   */
  onFinished(callback: () => void): void {
    if (this.finished) callback();
    else this.finishedCallbacks.push(callback);
  }

  /** Bytes waiting for the client. */
  get pendingBytes(): number {
    return this.queuedBytes;
  }

  /** Whether the serving worker's connection is paused because of this request. */
  get holdingWorker(): boolean {
    return this.releaseWorkerHold !== undefined;
  }

  /** The worker now serving the request (a retry starts with a fresh window on the new worker). */
  useWorker(link: WorkerLink | undefined, requestId: Buffer): void {
    this.releaseHold();
    this.worker = link ? { link, requestId } : undefined;
    this.ungranted = 0;
  }

  /** Queues one message for the client; `bytes` are its answer bytes (what credit counts). */
  push(message: TlObject, bytes: number, final = false, uncredited = final): void {
    if (this.dropped || this.sink.detached) {
      this.returnCredit(bytes);
      return;
    }
    this.queue.push({ message, bytes, final, uncredited });
    this.queuedBytes += bytes;
    this.flush();
    if (this.queuedBytes > this.maxQueuedBytes && !this.releaseWorkerHold && this.worker?.link.holdReading) {
      this.releaseWorkerHold = this.worker.link.holdReading();
    }
  }

  /** ext.grantCredit from the client. */
  grantFromClient(bytes: number): void {
    if (!(bytes > 0)) return;
    this.clientCredit += bytes;
    this.flush();
  }

  /** Sends what the client session and credit allow; called again on the session's 'drain'. */
  flush(): void {
    if (this.sink.detached) {
      this.drop();
      return;
    }
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      if (this.sink.writable === false) break;
      if (!next.uncredited && this.clientCredit <= 0) break;
      this.queue.shift();
      this.queuedBytes -= next.bytes;
      this.clientCredit -= next.bytes;
      this.sink.send(next.message);
      this.returnCredit(next.bytes);
      if (next.final) this.finish();
    }
    if (this.releaseWorkerHold && this.queuedBytes <= this.maxQueuedBytes / 2) this.releaseHold();
  }

  /** The client no longer wants the answer (cancelled, gone): forget what waits, let the worker go on. */
  drop(): void {
    this.dropped = true;
    const bytes = this.queuedBytes;
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.returnCredit(bytes);
    this.releaseHold();
    this.finish();
  }

  /** The request ended: nothing holds the worker connection any more. */
  close(): void {
    this.releaseHold();
  }

  private returnCredit(bytes: number): void {
    const worker = this.worker;
    if (!worker || !worker.link.extensions?.has('credit')) return;
    this.ungranted += bytes;
    if (this.ungranted < WORKER_GRANT_BATCH_BYTES) return;
    const grant = this.ungranted;
    this.ungranted = 0;
    try {
      worker.link.send({ _: 'ext.grantCredit', request_id: worker.requestId, bytes: BigInt(grant) });
    } catch {
      // the worker connection is gone: the request fails through onWorkerGone
    }
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    for (const callback of this.finishedCallbacks.splice(0)) callback();
  }

  private releaseHold(): void {
    const release = this.releaseWorkerHold;
    this.releaseWorkerHold = undefined;
    release?.();
  }
}
