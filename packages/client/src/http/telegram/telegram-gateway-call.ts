/**
 * One gateway call of a Telegram task with the HTTP edge's safety rails: a timer, abort when the
 * app disconnects or the server closes, and helpers to read an answer body within a size limit
 * without outliving the call's signal.
 */
import type { ServerResponse } from 'node:http';
import { CocoonError } from '@cocoon/protocol';
import type { InferenceExchangeContext } from '../inference-exchange.ts';

/** Runs `work` with a signal aborted on timeout, app disconnect or server close; rejects with the abort reason. */
export async function withGatewayCall<T>(response: ServerResponse, context: InferenceExchangeContext, timeoutMs: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const untrack = context.track(controller);
  const onClose = (): void => {
    if (!response.writableFinished) controller.abort(new CocoonError('CCN_ERR_CANCELLED', 'the HTTP client went away'));
  };
  response.on('close', onClose);
  const timer = setTimeout(() => controller.abort(new CocoonError('CCN_ERR_TIMEOUT', `request timed out after ${timeoutMs / 1000} s`)), timeoutMs);
  const aborted = new Promise<never>((_resolve, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error), { once: true }));
  aborted.catch(() => undefined);
  try {
    return await Promise.race([work(controller.signal), aborted]);
  } finally {
    clearTimeout(timer);
    response.off('close', onClose);
    untrack();
  }
}

/** Reads a whole answer body (at most `maxBytes`), giving the body up when `signal` aborts. */
export async function collectAnswerBody(body: AsyncIterable<Buffer>, signal: AbortSignal, maxBytes: number): Promise<Buffer> {
  const iterator = body[Symbol.asyncIterator]();
  const aborted = new Promise<never>((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason as Error);
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
  aborted.catch(() => undefined);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for (;;) {
      const step = await Promise.race([iterator.next(), aborted]);
      if (step.done === true) return Buffer.concat(chunks, size);
      size += step.value.length;
      if (size > maxBytes) throw new CocoonError('CCN_ERR_ENGINE_FAILED', `the answer is larger than ${maxBytes} bytes`);
      chunks.push(step.value);
    }
  } catch (error) {
    void Promise.resolve(iterator.return?.()).catch(() => undefined);
    throw error;
  }
}

/** Parses a JSON object answer, or undefined when the bytes are not one. */
export function parseJsonObject(bytes: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
