/**
 * Test double of the InferenceGateway port: records every request and answers with whatever
 * the test scripts, including answers whose body chunks the test releases one by one.
 */
import type { GatewayAnswer, GatewayModel, GatewayRequest, InferenceGateway } from '../../src/http/index.ts';

export type GatewayScript = (request: GatewayRequest) => Promise<GatewayAnswer>;

/**
 * A body the test feeds chunk by chunk. Unlike an async generator, `return()` takes effect at once
 * (ending a pending `next()`), so a test can see that the server gave the body up.
 */
export class ChunkChannel implements AsyncIterable<Buffer> {
  private readonly queued: Array<Buffer | Error | null> = [];
  private waiting: (() => void) | undefined;
  returned = false;

  push(chunk: string | Buffer): void {
    this.queued.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    this.wake();
  }

  end(): void {
    this.queued.push(null);
    this.wake();
  }

  fail(error: Error): void {
    this.queued.push(error);
    this.wake();
  }

  private wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }

  private async next(): Promise<IteratorResult<Buffer>> {
    while (this.queued.length === 0 && !this.returned) await new Promise<void>((resolve) => (this.waiting = resolve));
    if (this.returned) return { done: true, value: undefined };
    const next = this.queued.shift();
    if (next instanceof Error) throw next;
    if (next === null || next === undefined) return { done: true, value: undefined };
    return { done: false, value: next };
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return {
      next: () => this.next(),
      return: async () => {
        this.returned = true;
        this.wake();
        return { done: true, value: undefined };
      },
    };
  }
}

export async function* chunksOf(...chunks: string[]): AsyncIterable<Buffer> {
  for (const chunk of chunks) yield Buffer.from(chunk);
}

export function jsonAnswer(value: unknown, status = 200, headers: Record<string, string> = {}): GatewayAnswer {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: chunksOf(JSON.stringify(value)) };
}

/** Resolves when the signal aborts, with its reason. */
export function abortReason(signal: AbortSignal): Promise<unknown> {
  if (signal.aborted) return Promise.resolve(signal.reason);
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason), { once: true }));
}

export class FakeInferenceGateway implements InferenceGateway {
  readonly requests: GatewayRequest[] = [];
  script: GatewayScript = async () => jsonAnswer({ ok: true });
  models: GatewayModel[] = [];
  private arrivals: Array<(request: GatewayRequest) => void> = [];

  async run(request: GatewayRequest): Promise<GatewayAnswer> {
    this.requests.push(request);
    const arrivals = this.arrivals;
    this.arrivals = [];
    for (const arrived of arrivals) arrived(request);
    return this.script(request);
  }

  async listModels(_signal: AbortSignal): Promise<GatewayModel[]> {
    return this.models;
  }

  /** Resolves with the next request the gateway receives. */
  nextRequest(): Promise<GatewayRequest> {
    return new Promise((resolve) => this.arrivals.push(resolve));
  }

  get lastRequest(): GatewayRequest {
    const last = this.requests.at(-1);
    if (last === undefined) throw new Error('the gateway received no request');
    return last;
  }

  /** The last forwarded body, parsed. */
  get lastBody(): Record<string, unknown> {
    return JSON.parse(this.lastRequest.body.toString('utf8')) as Record<string, unknown>;
  }
}
