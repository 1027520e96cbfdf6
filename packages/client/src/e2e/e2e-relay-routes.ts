/**
 * The blind relay for apps that seal their own requests (§22), and the receipt look-up:
 * - `GET /v1/e2e/workers?model=M`: the proxy's e2e workers of M whose evidence verified here, each with
 *   its evidence as base64 of the boxed ext.e2eEvidence, and what this runner trusts (`trust`);
 * - `POST /v1/e2e/requests` (application/octet-stream, a boxed ext.e2eRequest, at most the body limit):
 *   sent unchanged; the answer is NDJSON — a `chunk` line per sealed chunk, the `receipt` line, then `end`
 *   (tokens and cost) or `error`. Errors before the first chunk are the usual OpenAI error JSON. The
 *   runner cannot read the chunks, but it checks the receipt against the request, the chunks it relayed
 *   and the verified keys it served, and keeps it with the proxy's charge;
 * - `GET /v1/receipts/{hex id}`: one stored request with its receipt (404 when unknown).
 * Malformed input is a 4xx naming what is wrong; nothing here can take the process down.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CocoonError, encodeBoxed, isE2eRequestBytes, readE2eRequestRouting, requireMediaType, toBase64, toHex } from '@cocoon/protocol';
import type { ExtE2eSignedReceipt, TokensUsed, VerifiedE2eKey } from '@cocoon/protocol';
import { GatewayExchange } from '../http/gateway-exchange.ts';
import type { ExchangeTimers, ExchangeTracker } from '../http/gateway-exchange.ts';
import { readRequestBody } from '../http/request-body-reader.ts';
import type { BodyReadLimits } from '../http/request-body-reader.ts';
import { sendJson } from '../http/json-response.ts';
import { openAiErrorAnswer } from '../http/openai-error-body.ts';
import { AnswerBodyQueue } from '../gateway/answer-body-queue.ts';
import type { E2eClient } from './e2e-client.ts';
import { checkedReceipt } from './e2e-receipt-record.ts';

export const E2E_WORKERS_PATH = '/v1/e2e/workers';
export const E2E_REQUESTS_PATH = '/v1/e2e/requests';
export const RECEIPTS_PATH_PREFIX = '/v1/receipts/';

/** Longest timeout a relayed request may ask for (one day, as the plain API). */
const MAX_TIMEOUT_MS = 86_400_000;

export interface E2eRouteContext {
  e2e: E2eClient;
  bodyLimits: BodyReadLimits;
  track: ExchangeTracker;
  timers?: ExchangeTimers | undefined;
}

/** Whether `path` is one of these routes (they are public like /v1/models: Host and Origin checks apply). */
export function isE2eRoute(path: string): boolean {
  return path === E2E_WORKERS_PATH || path === E2E_REQUESTS_PATH || path.startsWith(RECEIPTS_PATH_PREFIX);
}

/** Handles one of these routes (see isE2eRoute); throws CocoonError for the caller to answer. */
export async function handleE2eRoute(request: IncomingMessage, response: ServerResponse, url: URL, context: E2eRouteContext): Promise<void> {
  const method = request.method ?? 'GET';
  const path = url.pathname;
  const allowed = path === E2E_REQUESTS_PATH ? 'POST' : 'GET';
  if (method !== allowed && !(allowed === 'GET' && method === 'HEAD')) {
    request.resume();
    throw new CocoonError('CCN_ERR_HTTP_METHOD_NOT_ALLOWED', `${path.slice(0, 200)} accepts ${allowed} only`);
  }
  if (path === E2E_WORKERS_PATH) return listWorkers(response, url, context.e2e);
  if (path === E2E_REQUESTS_PATH) return relayRequest(request, response, context);
  return showReceipt(response, path.slice(RECEIPTS_PATH_PREFIX.length), context.e2e);
}

async function listWorkers(response: ServerResponse, url: URL, e2e: E2eClient): Promise<void> {
  const model = url.searchParams.get('model') ?? '';
  if (model.length === 0 || model.length > 256) throw new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', "'model' must be a model name (1 to 256 characters)", { param: 'model' });
  const verified = await e2e.verifiedWorkers(e2e.connection(), model);
  sendJson(response, 200, {
    model,
    workers: verified.map(({ worker }) => ({
      coefficient: worker.coefficient, active_requests: worker.active_requests, max_active_requests: worker.max_active_requests,
      evidence: toBase64(encodeBoxed(worker.evidence)),
    })),
    trust: e2e.trust(),
  });
}

function showReceipt(response: ServerResponse, idText: string, e2e: E2eClient): void {
  if (!/^[0-9a-fA-F]{64}$/.test(idText)) throw new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', 'a request id is 64 hex digits', { param: 'request_id' });
  const record = e2e.store.get(idText);
  if (!record) throw new CocoonError('CCN_ERR_HTTP_NOT_FOUND', `no end-to-end request ${idText.toLowerCase()} is known here`);
  sendJson(response, 200, record);
}

/** One NDJSON line. */
function line(value: Record<string, unknown>): Buffer {
  return Buffer.from(`${JSON.stringify(value)}\n`, 'utf8');
}

function tokensJson(tokens: TokensUsed | undefined): Record<string, number | string> | null {
  if (!tokens) return null;
  const out: Record<string, number | string> = {};
  for (const name of ['prompt_tokens_used', 'cached_tokens_used', 'completion_tokens_used', 'reasoning_tokens_used', 'total_tokens_used'] as const) {
    const value = tokens[name];
    out[name] = value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : String(value);
  }
  return out;
}

async function relayRequest(request: IncomingMessage, response: ServerResponse, context: E2eRouteContext): Promise<void> {
  const { e2e } = context;
  let bytes: Buffer;
  try {
    requireMediaType(request.headers, 'application/octet-stream');
    bytes = await readRequestBody(request, context.bodyLimits);
  } catch (error) {
    if (!request.complete) response.setHeader('connection', 'close');
    throw error;
  }
  if (!isE2eRequestBytes(bytes)) throw new CocoonError('CCN_ERR_E2E_REQUEST_INVALID', 'the body is not a boxed ext.e2eRequest');
  const { header, recipientKeys } = readE2eRequestRouting(bytes);
  if (header.timeout_ms <= 0 || header.timeout_ms > MAX_TIMEOUT_MS) throw new CocoonError('CCN_ERR_E2E_REQUEST_INVALID', `header timeout_ms must be 1..${MAX_TIMEOUT_MS}`, { param: 'timeout_ms' });
  const connection = e2e.connection();
  const requestHash = createHash('sha256').update(bytes).digest();
  const idHex = toHex(header.request_id);
  // The receipt is checked against the keys this runner verified and served, never against the proxy's word.
  const recipients = recipientKeys.map((key) => e2e.directory.servedKey(key)).filter((key): key is VerifiedE2eKey => key !== undefined);

  await GatewayExchange.run({ response, timeoutMs: header.timeout_ms, track: context.track, timers: context.timers }, async (exchange) => {
    const answerHash = createHash('sha256');
    let chunks = 0;
    let receipt: ExtE2eSignedReceipt | undefined;
    const grants: number[] = [];
    const sent: { listener?: { grant(bytes: number): void } } = {};
    const body = new AnswerBodyQueue({ onConsumed: () => sent.listener?.grant(grants.shift() ?? 0) });
    let first: ((error: Error | undefined) => void) | undefined;
    const started = new Promise<Error | undefined>((resolve) => { first = resolve; });
    const push = (value: Record<string, unknown>, grant = 0): void => {
      grants.push(grant);
      body.push(line(value));
    };
    const keepReceipt = (): void => {
      if (!receipt) return;
      const checked = checkedReceipt(receipt, { requestId: header.request_id, requestHash, answerHash: answerHash.copy().digest(), answerChunks: chunks, recipients });
      e2e.saveReceipt(idHex, recipients.length === 0 ? { ...checked, verified: false, reason: 'none of the recipient keys was verified and served by this runner' } : checked);
    };
    const listener = await e2e.send(connection, { bytes, header, requestHash, mode: 'relayed' }, {
      chunk: (chunk) => {
        answerHash.update(chunk);
        chunks += 1;
        push({ type: 'chunk', data: toBase64(chunk) }, chunk.length);
        first?.(undefined);
      },
      receipt: (signed, receiptBytes) => {
        receipt = signed;
        push({ type: 'receipt', data: toBase64(receiptBytes) });
      },
      end: (tokens) => {
        keepReceipt();
        e2e.finish(idHex, undefined);
        const total = tokens?.total_tokens_used ?? 0n;
        push({ type: 'end', tokens_used: tokensJson(tokens), cost_nanoton: String(total * e2e.pricePerToken()) });
        body.end();
      },
      error: (error) => {
        keepReceipt();
        e2e.finish(idHex, error);
        first?.(error);
        push({ type: 'error', error: openAiErrorAnswer(error).body.error });
        body.end();
      },
    });
    sent.listener = listener;
    exchange.signal.addEventListener('abort', () => listener.abort(exchange.signal.reason as Error), { once: true });
    const failure = await exchange.race(started);
    if (failure) throw failure; // before any chunk: the usual error JSON
    exchange.writeHead(200, ['content-type', 'application/x-ndjson', 'cache-control', 'no-cache', 'x-accel-buffering', 'no', 'x-cocoon-e2e', '1', 'x-cocoon-receipt-id', idHex]);
    await exchange.relay(body);
  }).catch((error: unknown) => {
    if (response.headersSent) response.destroy();
    else throw error;
  });
}
