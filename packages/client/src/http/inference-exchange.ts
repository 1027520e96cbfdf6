/**
 * One inference request on the HTTP edge (§4.1, §4.7 client side): reads and checks the body,
 * calls the gateway, and relays the answer to the app chunk by chunk as it arrives. Keeps its
 * own timer (the reference has none, §12): before the headers it answers 504, mid-stream it ends
 * the stream (SSE: a final error event). The gateway's signal is aborted when the timer fires,
 * the app disconnects, or the relay fails.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CocoonError, isCocoonError } from '@cocoon/protocol';
import type { GatewayAnswer, InferenceGateway, InferencePath } from './inference-gateway.ts';
import { answerResponseHeaders, cocoonTimestamp, forwardableRequestHeaders } from './http-headers.ts';
import { parseInferenceRequest } from './inference-request-parser.ts';
import type { InferenceDefaults, ParsedInferenceRequest } from './inference-request-parser.ts';
import { readRequestBody } from './request-body-reader.ts';
import type { BodyReadLimits } from './request-body-reader.ts';
import { sendError, sseErrorEvent } from './json-response.ts';

export interface InferenceExchangeContext {
  gateway: InferenceGateway;
  defaults: InferenceDefaults;
  bodyLimits: BodyReadLimits;
  now: () => number;
  /** Registers a running exchange's controller so the server can abort it on close; returns the unregister function. */
  track: (controller: AbortController) => () => void;
}

/** What the relay learnt about the answer it is writing. */
interface RelayState {
  /** The answer is an SSE stream (errors after the headers go out as a final event). */
  eventStream: boolean;
}

const ABORTED: unique symbol = Symbol('aborted');
type Aborted = typeof ABORTED;

/** Handles one POST to an inference path; never throws. */
export async function runInferenceExchange(request: IncomingMessage, response: ServerResponse, path: InferencePath, context: InferenceExchangeContext): Promise<void> {
  const startedAt = context.now();
  let parsed: ParsedInferenceRequest;
  try {
    parsed = parseInferenceRequest(await readRequestBody(request, context.bodyLimits), context.defaults);
  } catch (error) {
    // The unread rest of a refused body is not worth draining: close the connection after answering.
    sendError(response, error, isCocoonError(error) && error.code === 'CCN_ERR_HTTP_BODY_TOO_LARGE' ? { connection: 'close' } : {});
    return;
  }

  const controller = new AbortController();
  const relay: RelayState = { eventStream: false };
  const untrack = context.track(controller);
  const aborted = new Promise<Aborted>((resolve) => controller.signal.addEventListener('abort', () => resolve(ABORTED), { once: true }));
  const onClose = (): void => {
    if (!response.writableFinished) controller.abort(new CocoonError('CCN_ERR_CANCELLED', 'the HTTP client went away'));
  };
  response.on('close', onClose);
  const timer = setTimeout(() => {
    controller.abort(new CocoonError('CCN_ERR_TIMEOUT', `request timed out after ${parsed.timeoutMs / 1000} s`));
  }, parsed.timeoutMs);

  try {
    const running = context.gateway.run({
      path,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...forwardableRequestHeaders(request.headers) },
      body: parsed.body,
      model: parsed.model,
      maxCoefficient: parsed.maxCoefficient,
      maxTokens: parsed.maxTokens,
      timeoutMs: parsed.timeoutMs,
      enableDebug: parsed.enableDebug,
      ...(parsed.requestGuid === undefined ? {} : { requestGuid: parsed.requestGuid }),
      signal: controller.signal,
      stream: parsed.stream,
    });
    const answer = await Promise.race([running, aborted]);
    if (answer === ABORTED) {
      running.then(discardAnswer, () => undefined);
    } else {
      await relayAnswer(answer, response, relay, parsed, aborted, cocoonTimestamp(startedAt), context.now);
    }
  } catch (error) {
    // A failure after an abort is the abort's echo: finishAborted answers for it below.
    if (!controller.signal.aborted) {
      controller.abort(error);
      if (!response.headersSent) sendError(response, error);
      else endStreamWithError(response, relay, error);
    }
  } finally {
    clearTimeout(timer);
    response.off('close', onClose);
    untrack();
  }
  if (controller.signal.aborted && !response.writableEnded) finishAborted(response, relay, controller.signal.reason);
}

async function relayAnswer(answer: GatewayAnswer, response: ServerResponse, relay: RelayState, parsed: ParsedInferenceRequest, aborted: Promise<Aborted>, clientStart: string, now: () => number): Promise<void> {
  answer.usage?.catch(() => undefined);
  const contentType = answer.headers['content-type'] ?? (parsed.stream ? 'text/event-stream' : 'application/json');
  relay.eventStream = contentType.startsWith('text/event-stream');
  const defaults: Record<string, string> = relay.eventStream
    ? { 'content-type': contentType, 'cache-control': 'no-cache', 'x-accel-buffering': 'no' }
    : { 'content-type': contentType };
  const headers = answerResponseHeaders(answer.headers, { 'x-cocoon-client-start': clientStart, 'x-cocoon-client-end': cocoonTimestamp(now()) }, defaults);
  response.writeHead(answer.status, headers);

  const iterator = answer.body[Symbol.asyncIterator]();
  for (;;) {
    const step = await Promise.race([iterator.next(), aborted]);
    if (step === ABORTED) {
      void Promise.resolve(iterator.return?.()).catch(() => undefined);
      return;
    }
    if (step.done === true) break;
    if (step.value.length === 0) continue;
    if (!response.write(step.value)) {
      const drained = await Promise.race([new Promise<void>((resolve) => response.once('drain', resolve)), aborted]);
      if (drained === ABORTED) {
        void Promise.resolve(iterator.return?.()).catch(() => undefined);
        return;
      }
    }
  }
  response.end();
}

/** Answers an aborted exchange: nothing if the app left, 504 or an ended stream on timeout. */
function finishAborted(response: ServerResponse, relay: RelayState, reason: unknown): void {
  if (response.destroyed) return;
  if (isCocoonError(reason) && reason.code === 'CCN_ERR_CANCELLED') {
    response.destroy();
    return;
  }
  if (!response.headersSent) {
    sendError(response, reason);
    return;
  }
  if (relay.eventStream) response.write(sseErrorEvent(reason));
  response.end();
}

/** Fails a stream whose headers already went out: SSE gets an error event; other bodies are cut. */
function endStreamWithError(response: ServerResponse, relay: RelayState, error: unknown): void {
  if (response.writableEnded || response.destroyed) return;
  if (relay.eventStream) {
    response.end(sseErrorEvent(error));
    return;
  }
  response.destroy();
}

/** Releases an answer that arrived after the exchange was already given up. */
function discardAnswer(answer: GatewayAnswer): void {
  answer.usage?.catch(() => undefined);
  const iterator = answer.body[Symbol.asyncIterator]();
  void Promise.resolve(iterator.return?.()).catch(() => undefined);
}
