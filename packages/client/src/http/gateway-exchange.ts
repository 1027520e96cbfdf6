/**
 * One gateway call on the HTTP edge with its safety rails, shared by every route that calls the
 * InferenceGateway (chat/completions, the Telegram text tasks, audio transcriptions). It owns the
 * request's AbortController, whose signal the gateway gets, aborted with a CocoonError when the
 * request timer fires (CCN_ERR_TIMEOUT), the app disconnects (CCN_ERR_CANCELLED), the server's
 * shutdown drain runs out (CCN_ERR_HTTP_SHUTTING_DOWN, through HttpShutdownDrain.track) or the
 * exchange fails; the waits that give up on that abort; the relay of an answer body to the app,
 * which pulls the next chunk only once the previous write drained (so the gateway's flow-control
 * credit follows the app's reading); reading a bounded body; and how a failed or aborted exchange
 * ends: before the headers an OpenAI-style error JSON, an SSE stream a final error event, any other
 * body cut (it cannot carry an error), an app that left nothing.
 */
import type { ServerResponse } from 'node:http';
import { CocoonError, isCocoonError } from '@cocoon/protocol';
import type { GatewayAnswer } from './inference-gateway.ts';
import { sendError, sseErrorEvent } from './json-response.ts';

/** The timer functions of an exchange (tests inject their own). */
export interface ExchangeTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const SYSTEM_EXCHANGE_TIMERS: ExchangeTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Registers a running exchange's controller with the server's shutdown drain; returns the unregister function. */
export type ExchangeTracker = (controller: AbortController) => () => void;

export interface GatewayExchangeOptions {
  response: ServerResponse;
  timeoutMs: number;
  /** HttpShutdownDrain.track of the server. */
  track: ExchangeTracker;
  /** Default: the system's. */
  timers?: ExchangeTimers | undefined;
}

const ABORTED: unique symbol = Symbol('aborted');
type Aborted = typeof ABORTED;

function ignore(): void {}

/** Gives a body up (closes its iterator); never throws. */
function giveUp(iterator: AsyncIterator<Buffer>): void {
  void Promise.resolve(iterator.return?.()).catch(ignore);
}

/** Releases an answer that arrived after the exchange was already given up. */
function discardAnswer(answer: GatewayAnswer): void {
  answer.usage?.catch(ignore);
  giveUp(answer.body[Symbol.asyncIterator]());
}

export class GatewayExchange {
  private readonly controller = new AbortController();
  private readonly response: ServerResponse;
  private readonly timers: ExchangeTimers;
  private readonly timer: unknown;
  private readonly untrack: () => void;
  private readonly whenAborted: Promise<Aborted>;
  private eventStream = false;
  private released = false;

  constructor(options: GatewayExchangeOptions) {
    this.response = options.response;
    this.timers = options.timers ?? SYSTEM_EXCHANGE_TIMERS;
    this.whenAborted = new Promise<Aborted>((resolve) => this.controller.signal.addEventListener('abort', () => resolve(ABORTED), { once: true }));
    this.untrack = options.track(this.controller); // aborts at once when the drain deadline already passed
    this.response.on('close', this.onClose);
    this.timer = this.timers.setTimeout(() => this.abort(new CocoonError('CCN_ERR_TIMEOUT', `request timed out after ${options.timeoutMs / 1000} s`)), options.timeoutMs);
  }

  /** Runs `work` with a new exchange and releases it afterwards, however `work` ends. */
  static async run<T>(options: GatewayExchangeOptions, work: (exchange: GatewayExchange) => Promise<T>): Promise<T> {
    const exchange = new GatewayExchange(options);
    try {
      return await work(exchange);
    } finally {
      exchange.release();
    }
  }

  /** The signal for the gateway; its reason says why the exchange was given up. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Whether the answer being relayed is an SSE stream (errors after the headers go out as a final event). */
  get isEventStream(): boolean {
    return this.eventStream;
  }

  /** Gives the exchange up with `reason` (the first reason wins). */
  abort(reason: unknown): void {
    this.controller.abort(reason);
  }

  private readonly onClose = (): void => {
    if (!this.response.writableFinished) this.abort(new CocoonError('CCN_ERR_CANCELLED', 'the HTTP client went away'));
  };

  private abortReason(): Error {
    return this.signal.reason as Error;
  }

  /** `work`'s result, or the abort reason thrown when the exchange is given up first. */
  async race<T>(work: Promise<T>): Promise<T> {
    if (this.signal.aborted) throw this.abortReason();
    const result = await Promise.race([work, this.whenAborted]);
    if (result === ABORTED) throw this.abortReason();
    return result;
  }

  /** The gateway's answer, or the abort reason thrown; an answer that comes after the abort is given up. */
  async awaitAnswer(running: Promise<GatewayAnswer>): Promise<GatewayAnswer> {
    const answer = await Promise.race([running, this.whenAborted]);
    if (answer === ABORTED) {
      running.then(discardAnswer, ignore);
      throw this.abortReason();
    }
    if (this.signal.aborted) {
      discardAnswer(answer);
      throw this.abortReason();
    }
    answer.usage?.catch(ignore);
    return answer;
  }

  /** Writes the answer's head (a flat `[name, value, …]` list with lower-case names, see answerResponseHeaders). */
  writeHead(status: number, headers: string[]): void {
    for (let index = 0; index < headers.length; index += 2) {
      if (headers[index] === 'content-type') this.eventStream = headers[index + 1]!.startsWith('text/event-stream');
    }
    this.response.writeHead(status, headers);
  }

  /**
   * Relays `body` to the app after `writeHead`: pulls the next chunk only once the previous write
   * drained, ends the response at the body's end; on abort gives the body up and ends the response
   * as `finish` says; a failing body fails the exchange. Never throws.
   */
  async relay(body: AsyncIterable<Buffer>): Promise<void> {
    const iterator = body[Symbol.asyncIterator]();
    try {
      while (!this.signal.aborted) {
        const step = await Promise.race([iterator.next(), this.whenAborted]);
        if (step === ABORTED) break;
        if (step.done === true) {
          this.response.end();
          return;
        }
        if (step.value.length > 0 && !this.response.write(step.value)) await this.drained();
      }
    } catch (error) {
      giveUp(iterator);
      this.fail(error);
      return;
    }
    giveUp(iterator);
    this.finish();
  }

  /** Resolves once the response drained or the exchange is given up. */
  private async drained(): Promise<void> {
    let onDrain: () => void = ignore;
    const drain = new Promise<void>((resolve) => {
      onDrain = resolve;
      this.response.once('drain', onDrain);
    });
    try {
      await Promise.race([drain, this.whenAborted]);
    } finally {
      this.response.off('drain', onDrain);
    }
  }

  /** Reads a whole body of at most `maxBytes` (else CCN_ERR_ENGINE_FAILED); throws the abort reason when given up first. */
  async collect(body: AsyncIterable<Buffer>, maxBytes: number): Promise<Buffer> {
    const iterator = body[Symbol.asyncIterator]();
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for (;;) {
        const step = await this.race(iterator.next());
        if (step.done === true) return Buffer.concat(chunks, size);
        size += step.value.length;
        if (size > maxBytes) throw new CocoonError('CCN_ERR_ENGINE_FAILED', `the answer is larger than ${maxBytes} bytes`);
        chunks.push(step.value);
      }
    } catch (error) {
      giveUp(iterator);
      throw error;
    }
  }

  /**
   * Ends the exchange after `error`. The echo of an abort ends it as `finish` says; any other error
   * aborts the gateway call with it and is answered: error JSON before the headers, a final error
   * event on an SSE stream, any other body cut.
   */
  fail(error: unknown): void {
    if (this.signal.aborted) {
      this.finish();
      return;
    }
    this.abort(error);
    this.endWith(error);
  }

  /** Ends the response of an aborted exchange unless it has ended: nothing more when the app left, else its reason as `fail` answers it. */
  finish(): void {
    if (!this.signal.aborted) return;
    const reason: unknown = this.signal.reason;
    if (isCocoonError(reason) && reason.code === 'CCN_ERR_CANCELLED') {
      if (!this.response.writableEnded) this.response.destroy();
      return;
    }
    this.endWith(reason);
  }

  private endWith(error: unknown): void {
    const response = this.response;
    if (response.writableEnded || response.destroyed) return;
    if (!response.headersSent) sendError(response, error);
    else if (this.eventStream) response.end(sseErrorEvent(error));
    else response.destroy();
  }

  /** Stops the timer, the disconnect watch and the drain tracking. Idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.timers.clearTimeout(this.timer);
    this.response.off('close', this.onClose);
    this.untrack();
  }
}
