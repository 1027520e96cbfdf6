/**
 * Graceful shutdown of the client's HTTP edge: `close()` stops accepting connections and
 * requests (new ones get 503 CCN_ERR_HTTP_SHUTTING_DOWN with `connection: close`), closes idle
 * keep-alive connections at once, and lets the answers in flight finish within a drain deadline.
 * Past it, every remaining one is ended, with an answer wherever one can still be given: the
 * running gateway calls are aborted with CCN_ERR_HTTP_SHUTTING_DOWN (an SSE stream then gets a
 * final error event and ends cleanly; a plain body already under way cannot carry an error and is
 * cut, see GatewayExchange) and whatever has not started its answer gets a 503 JSON error.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { CocoonError } from '@cocoon/protocol';
import { sendError } from './json-response.ts';

export const DEFAULT_SHUTDOWN_DRAIN_MS = 10_000;
/** How long final answers get to flush, and peers to close ended connections, before connections are dropped. */
const FINAL_FLUSH_MS = 1_000;

function shuttingDown(): CocoonError {
  return new CocoonError('CCN_ERR_HTTP_SHUTTING_DOWN', 'the client is shutting down');
}

export class HttpShutdownDrain {
  private readonly controllers = new Set<AbortController>();
  private readonly inFlight = new Set<ServerResponse>();
  /** Answers in flight per connection (more than one when requests are pipelined). */
  private readonly answersBySocket = new Map<Socket, number>();
  private closing: Promise<void> | undefined;
  private deadlinePassed = false;
  private onSettled: (() => void) | undefined;

  constructor(
    private readonly server: Server,
    private readonly drainMs: number = DEFAULT_SHUTDOWN_DRAIN_MS,
  ) {}

  /** Registers a running gateway call's controller; returns the unregister function. Aborted at the deadline. */
  readonly track = (controller: AbortController): (() => void) => {
    this.controllers.add(controller);
    if (this.deadlinePassed) controller.abort(shuttingDown());
    return () => {
      this.controllers.delete(controller);
    };
  };

  /** Counts a new request in; while closing, answers it 503 and returns false. */
  admit(request: IncomingMessage, response: ServerResponse): boolean {
    this.follow(response);
    if (this.closing === undefined) return true;
    request.resume();
    sendError(response, shuttingDown(), { connection: 'close' });
    return false;
  }

  /** Keeps `response` in flight until it closes; while closing, a connection left without answers is ended. */
  private follow(response: ServerResponse): void {
    const socket = response.socket;
    this.inFlight.add(response);
    if (socket !== null) this.answersBySocket.set(socket, (this.answersBySocket.get(socket) ?? 0) + 1);
    response.once('close', () => {
      this.inFlight.delete(response);
      if (socket !== null) {
        const left = (this.answersBySocket.get(socket) ?? 1) - 1;
        if (left > 0) this.answersBySocket.set(socket, left);
        else this.answersBySocket.delete(socket);
        // A keep-alive connection is not kept: FIN once its last answer is written (never a reset).
        if (left <= 0 && this.closing !== undefined && !socket.destroyed) socket.end();
      }
      if (this.closing !== undefined && this.inFlight.size === 0) this.onSettled?.();
    });
  }

  /** Drains and closes; resolves once the server is closed. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.drain();
    return this.closing;
  }

  private async drain(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const response of this.inFlight) if (!response.headersSent) response.setHeader('connection', 'close');
    this.server.closeIdleConnections();
    if (!(await this.settledWithin(this.drainMs))) {
      this.deadlinePassed = true;
      const error = shuttingDown();
      for (const controller of this.controllers) controller.abort(error);
      for (const response of this.inFlight) if (!response.headersSent) sendError(response, error, { connection: 'close' });
      await this.settledWithin(FINAL_FLUSH_MS);
    }
    // The connections left were ended after their last answer; the peers close them. Only those
    // that do not within the flush time (or did not take their final answer) are dropped.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, FINAL_FLUSH_MS)))]);
    clearTimeout(timer);
    this.server.closeAllConnections();
    await closed;
  }

  /** Resolves true once no answer is in flight, false when `ms` pass first. */
  private settledWithin(ms: number): Promise<boolean> {
    if (this.inFlight.size === 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.onSettled = undefined;
        resolve(false);
      }, ms);
      this.onSettled = () => {
        clearTimeout(timer);
        this.onSettled = undefined;
        resolve(true);
      };
    });
  }
}
