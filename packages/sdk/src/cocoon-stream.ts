/**
 * `CocoonStream<T>`: a streamed end-to-end answer as the app reads it — an AsyncIterable of the
 * worker's SSE chunks (ChatCompletionChunk, or Completion pieces), opened and parsed as they come.
 * `receipt` settles after the last chunk was opened and the worker's signed receipt verified (the
 * final piece of the answer is only handed out after that check, so a loop that ends normally has
 * read a complete, untampered answer); it rejects with the stream's error, or with
 * CCN_ERR_CANCELLED when the app stopped early (`abort()`, a `break`, the call's signal). An abort
 * ends the loop quietly. `toReadableStream()` gives the chunks as NDJSON bytes (one JSON per line,
 * as the openai client's Stream does).
 */
import type { CocoonReceiptSummary } from './receipt-summary.ts';
import { summarizeReceipt } from './receipt-summary.ts';
import { SseDataDecoder } from './sse-data-decoder.ts';
import { CocoonRequestError, readErrorBody, toCocoonRequestError } from './cocoon-request-error.ts';
import type { OpenedE2eAnswer } from './e2e-transport.ts';

const ABORTED = Symbol('aborted');

export interface CocoonStreamSource {
  answer: OpenedE2eAnswer;
  /** Aborts the relay's fetch (and so the reading). */
  controller: AbortController;
}

/** One SSE event's data as a chunk; an `error` event is the worker's error, not a chunk. */
function parseChunk<T>(data: string, requestId: string): T {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    throw new CocoonRequestError('CCN_ERR_ENGINE_FAILED', `the worker's answer stream sent an event that is not JSON: ${data.slice(0, 80)}`, { requestId });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CocoonRequestError('CCN_ERR_ENGINE_FAILED', "the worker's answer stream sent an event that is not a JSON object", { requestId });
  const record = value as Record<string, unknown>;
  if (record.error !== undefined && record.choices === undefined) {
    const body = readErrorBody(data);
    throw new CocoonRequestError(body.code ?? 'CCN_ERR_ENGINE_FAILED', `the worker's answer stream failed: ${body.message ?? data.slice(0, 200)}`, { requestId });
  }
  return value as T;
}

export class CocoonStream<T> implements AsyncIterable<T> {
  /** The verified receipt (settles once the stream was read to its end). */
  readonly receipt: Promise<CocoonReceiptSummary>;
  /** Hex id of the sealed request (the receipt's request_id; the runner keeps its receipt under it). */
  readonly requestId: string;
  /** The worker's HTTP status and headers. */
  readonly status: number;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** Aborted by abort(); its signal is the relay fetch's. */
  readonly controller: AbortController;
  private readonly answer: OpenedE2eAnswer;
  private readonly aborted: Promise<typeof ABORTED>;
  private settle!: { resolve: (summary: CocoonReceiptSummary) => void; reject: (error: unknown) => void };
  private settled = false;
  private iterated = false;

  constructor(source: CocoonStreamSource) {
    this.answer = source.answer;
    this.controller = source.controller;
    this.requestId = source.answer.requestId;
    this.status = source.answer.status;
    this.headers = source.answer.headers;
    this.receipt = new Promise<CocoonReceiptSummary>((resolve, reject) => { this.settle = { resolve, reject }; });
    this.receipt.catch(() => undefined); // an app that only iterates sees the same error there
    const signal = this.controller.signal;
    this.aborted = new Promise((resolve) => {
      if (signal.aborted) resolve(ABORTED);
      else signal.addEventListener('abort', () => resolve(ABORTED), { once: true });
    });
    void this.aborted.then(() => this.fail(new CocoonRequestError('CCN_ERR_CANCELLED', 'the stream was aborted before its end', { requestId: this.requestId })));
  }

  /** Stops the stream: the loop ends, the relay's fetch is aborted, `receipt` rejects with CCN_ERR_CANCELLED. */
  abort(): void {
    this.controller.abort();
  }

  private fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.settle.reject(error);
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this.iterate();
  }

  private async *iterate(): AsyncGenerator<T> {
    if (this.iterated) throw new CocoonRequestError('CCN_ERR_INTERNAL', 'a CocoonStream can be read once', { requestId: this.requestId });
    this.iterated = true;
    const { reader, requestId } = this.answer;
    const body = reader.body();
    const decoder = new SseDataDecoder();
    let done = false;
    const signal = this.controller.signal;
    const events = function* (data: string[]): Generator<T> {
      for (const item of data) {
        if (done || signal.aborted) continue;
        if (item.trim() === '[DONE]') done = true;
        else yield parseChunk<T>(item, requestId);
      }
    };
    try {
      for (;;) {
        const pending = body.next();
        pending.catch(() => undefined); // when the abort wins the race, the read's own failure is not news
        const next = await Promise.race([pending, this.aborted]);
        if (next === ABORTED) return;
        if (next.done) break;
        yield* events(decoder.push(next.value));
        if (signal.aborted) return;
      }
      yield* events(decoder.end());
      if (!this.settled) {
        this.settled = true;
        this.settle.resolve(summarizeReceipt(reader.receipt!));
      }
    } catch (error) {
      if (signal.aborted) return;
      const failure = toCocoonRequestError(error, 'CCN_ERR_INTERNAL', requestId);
      this.fail(failure);
      throw failure;
    } finally {
      if (!this.settled) this.controller.abort(); // stopped early (break, return): nothing more is read
      void body.return(undefined).catch(() => undefined);
    }
  }

  /** The chunks as NDJSON bytes (one JSON chunk per line); reading it consumes this stream. */
  toReadableStream(): ReadableStream<Uint8Array> {
    const iterator = this[Symbol.asyncIterator]();
    const encoder = new TextEncoder();
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const next = await iterator.next();
          if (next.done) controller.close();
          else controller.enqueue(encoder.encode(`${JSON.stringify(next.value)}\n`));
        } catch (error) {
          controller.error(error);
        }
      },
      cancel: async () => {
        this.abort();
        await iterator.return?.();
      },
    });
  }
}
