/**
 * One inference request on the HTTP edge (§4.1, §4.7 client side): reads and checks the body,
 * calls the gateway, and relays the answer to the app chunk by chunk as it arrives. Its timer
 * (the reference has none, §12), the app-disconnect and shutdown aborts and how an aborted or
 * failed answer ends (504/503 before the headers, a final SSE error event after them) are the
 * GatewayExchange's; this file adds the request parsing and the answer's headers. `X-Cocoon-E2E: require`
 * (or the body's `cocoon_e2e`) marks the request as requiring end-to-end encryption (§22).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CocoonError } from '@cocoon/protocol';
import type { GatewayAnswer, InferenceGateway, InferencePath } from './inference-gateway.ts';
import { GatewayExchange } from './gateway-exchange.ts';
import type { ExchangeTimers, ExchangeTracker } from './gateway-exchange.ts';
import { answerResponseHeaders, cocoonTimestamp, forwardableRequestHeaders } from './http-headers.ts';
import { parseInferenceRequest } from './inference-request-parser.ts';
import type { InferenceDefaults, ParsedInferenceRequest } from './inference-request-parser.ts';
import { readRequestBody } from './request-body-reader.ts';
import type { BodyReadLimits } from './request-body-reader.ts';
import { sendError } from './json-response.ts';
import type { ReceiverKeyPolicy } from './receiver-key-policy.ts';

export interface InferenceExchangeContext {
  gateway: InferenceGateway;
  defaults: InferenceDefaults;
  bodyLimits: BodyReadLimits;
  now: () => number;
  /** Registers a running exchange's controller so the server can abort it on close; returns the unregister function. */
  track: ExchangeTracker;
  /** The exchanges' request timers (default: the system's). */
  timers?: ExchangeTimers | undefined;
  /** Which `receiver_public_key` an encrypted request may name (§20); without one, encrypted requests are refused. */
  receiverKeys?: ReceiverKeyPolicy | undefined;
}

/** Handles one POST to an inference path; never throws. */
export async function runInferenceExchange(request: IncomingMessage, response: ServerResponse, path: InferencePath, context: InferenceExchangeContext): Promise<void> {
  const startedAt = context.now();
  let parsed: ParsedInferenceRequest;
  try {
    parsed = parseInferenceRequest(await readRequestBody(request, context.bodyLimits), context.defaults);
    if (parsed.receiverPublicKey) checkReceiverKey(parsed.receiverPublicKey, context.receiverKeys);
  } catch (error) {
    // The unread rest of a refused body (413, 408) is not worth draining: the answer says
    // `connection: close` and the server closes the socket once it is sent.
    sendError(response, error, request.complete ? {} : { connection: 'close' });
    return;
  }
  if (response.headersSent) return; // answered while the body was read (the server's shutdown deadline)

  let requireE2e: boolean;
  try {
    requireE2e = parsed.requireE2e || e2eHeaderRequires(request.headers['x-cocoon-e2e']);
  } catch (error) {
    sendError(response, error);
    return;
  }
  const exchange = new GatewayExchange({ response, timeoutMs: parsed.timeoutMs, track: context.track, timers: context.timers });
  try {
    const answer = await exchange.awaitAnswer(context.gateway.run({
      path,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...withoutE2eHeader(forwardableRequestHeaders(request.headers)) },
      body: parsed.body,
      model: parsed.model,
      maxCoefficient: parsed.maxCoefficient,
      maxTokens: parsed.maxTokens,
      timeoutMs: parsed.timeoutMs,
      enableDebug: parsed.enableDebug,
      ...(parsed.requestGuid === undefined ? {} : { requestGuid: parsed.requestGuid }),
      signal: exchange.signal,
      stream: parsed.stream,
      ...(parsed.receiverPublicKey ? { receiverPublicKey: parsed.receiverPublicKey } : {}),
      ...(parsed.provider ? { provider: parsed.provider } : {}),
      ...(requireE2e ? { requireE2e } : {}),
    }));
    exchange.writeHead(answer.status, answerHead(answer, parsed.stream, cocoonTimestamp(startedAt), cocoonTimestamp(context.now())));
    await exchange.relay(answer.body);
  } catch (error) {
    exchange.fail(error);
  } finally {
    exchange.release();
  }
}

/** `X-Cocoon-E2E: require` (§22); absent is false, any other value a 400 naming the header. */
export function e2eHeaderRequires(value: string | string[] | undefined): boolean {
  if (value === undefined) return false;
  if (typeof value === 'string' && value.trim().toLowerCase() === 'require') return true;
  throw new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', "the X-Cocoon-E2E header takes one value: 'require'", { param: 'x-cocoon-e2e' });
}

/** The app's request headers without the runner's own X-Cocoon-E2E. */
function withoutE2eHeader(headers: Record<string, string>): Record<string, string> {
  delete headers['x-cocoon-e2e'];
  return headers;
}

/** 400 unless the network lists the key (CCN_ERR_ENCRYPTION_UNREGISTERED_KEY). */
export function checkReceiverKey(publicKey: Buffer, policy: ReceiverKeyPolicy | undefined): void {
  if (!policy) throw new CocoonError('CCN_ERR_ENCRYPTION_UNREGISTERED_KEY', 'this client accepts no encrypted requests (no encryption keys are known)', { param: 'receiver_public_key' });
  policy.check(publicKey);
}

/** The answer's headers for the app: the worker's, the client timing headers, and defaults by kind. */
function answerHead(answer: GatewayAnswer, stream: boolean, clientStart: string, clientEnd: string): string[] {
  const contentType = answer.headers['content-type'] ?? (stream ? 'text/event-stream' : 'application/json');
  const defaults: Record<string, string> = contentType.startsWith('text/event-stream')
    ? { 'content-type': contentType, 'cache-control': 'no-cache', 'x-accel-buffering': 'no' }
    : { 'content-type': contentType };
  return answerResponseHeaders(answer.headers, { 'x-cocoon-client-start': clientStart, 'x-cocoon-client-end': clientEnd }, defaults);
}
