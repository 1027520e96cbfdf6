/**
 * `cocoonFetch`: a fetch-compatible function (for the official `openai` client's `fetch` option, or
 * any code that calls fetch) that sends every inference request end to end encrypted through a
 * COCOON client runner. For `POST /v1/chat/completions` and `/v1/completions` it lists the model's
 * workers (`GET /v1/e2e/workers`), verifies their evidence with the injected E2eEvidenceVerifier
 * (never the proxy's word), seals the request to up to `maxRecipients` verified keys, posts it to
 * `/v1/e2e/requests`, opens the answer chunks as they come and verifies the receipt; the app gets a
 * standard Response with the worker's status, headers and body (SSE stays SSE, streamed) plus
 * `x-cocoon-e2e: 1` and `x-cocoon-receipt-id`, and `x-cocoon-receipt` (the verified receipt's JSON
 * summary) on non-streamed answers; `cocoonReceipt(response)` gives it for every answer. Failures
 * become OpenAI-style JSON error responses with their CCN_ERR_* code (mid-stream: the body errors).
 * Every other request passes through unchanged. Browser-safe: no Node built-ins.
 */
import { CocoonError, E2eExchange, E2eRequestSealer, E2eRequestSession, concatenate, toHex } from '@cocoon/protocol';
import type { E2eEvidenceVerifier, ExtE2eWorker } from '@cocoon/protocol';
import { E2eAnswerReader } from './e2e-answer-reader.ts';
import { fetchE2eWorkers } from './e2e-workers-listing.ts';
import { readE2eInferenceRequest } from './e2e-inference-request.ts';
import { readRelayEvents } from './ndjson-events.ts';
import { openAiErrorResponse } from './openai-error-response.ts';
import { summarizeReceipt, type CocoonReceiptSummary } from './receipt-summary.ts';

export const DEFAULT_MAX_RECIPIENTS = 3;

export interface CocoonFetchOptions {
  /** The client runner's URL (`http://127.0.0.1:10000`; a trailing `/v1`, as the openai client's baseURL has it, is fine). */
  baseURL: string;
  /** Verifies each listed worker's evidence (the Node one: @cocoon/attestation's NodeE2eEvidenceVerifier). */
  verifier: E2eEvidenceVerifier;
  /** The fetch to reach the runner with (default globalThis.fetch). */
  fetch?: typeof fetch;
  /** Keys one request is sealed to (default 3): the proxy may route it to any of their workers. */
  maxRecipients?: number;
  /**
   * true (default): an inference request is never sent in clear; without an end-to-end path it fails
   * with CCN_ERR_E2E_UNAVAILABLE. false: when the runner lists no end-to-end worker for the model the
   * request is sent as a plain one (after `onFallback`); evidence that fails verification still fails.
   */
  require?: boolean;
  /** Told why a request went in clear (require: false only). */
  onFallback?: (reason: string) => void;
  /** The clock (ms) key validity is checked and headers are dated with. */
  now?: () => number;
  /** The sealer (tests inject randomness through it). */
  sealer?: E2eRequestSealer;
}

const INFERENCE_PATHS = new Set(['/v1/chat/completions', '/v1/completions']);
const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive']);
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
const receipts = new WeakMap<Response, Promise<CocoonReceiptSummary>>();

/** The verified receipt of an answer cocoonFetch returned (settles when its body was read to the end); undefined for pass-through answers. */
export function cocoonReceipt(response: Response): Promise<CocoonReceiptSummary> | undefined {
  return receipts.get(response);
}

function runnerRoot(baseURL: string): URL {
  const url = new URL(baseURL);
  url.pathname = url.pathname.replace(/\/+$/, '').replace(/\/v1$/, '');
  url.search = '';
  url.hash = '';
  return url;
}

/**
 * Verifies the listed workers (each evidence once, cached by the session) and seals to up to
 * maxRecipients keys in the proxy's order within max_coefficient. No key at all because every
 * evidence was refused is CCN_ERR_E2E_EVIDENCE_INVALID; keys only above max_coefficient, NO_RECIPIENT.
 */
async function sealToVerifiedKeys(session: E2eRequestSession, workers: readonly ExtE2eWorker[], malformed: readonly CocoonError[], input: Omit<Parameters<E2eRequestSession['start']>[0], 'workers'>): Promise<E2eExchange> {
  const { keys, refused } = await session.verifiedKeys(workers, input.model);
  const refusals = [...malformed, ...refused.map((entry) => entry.error)];
  if (keys.length === 0) {
    const first = refusals[0];
    throw new CocoonError('CCN_ERR_E2E_EVIDENCE_INVALID', `no listed worker's evidence for ${input.model} verifies${first ? `: ${first.message}` : ''}`, first ? { cause: first } : {});
  }
  const recipients = session.pickRecipients(keys, input.maxCoefficient);
  if (recipients.length === 0) throw new CocoonError('CCN_ERR_E2E_NO_RECIPIENT', `no verified worker key for ${input.model} within max_coefficient ${input.maxCoefficient}`);
  return new E2eExchange(await session.sealer.seal({ ...input, recipients }));
}

export function cocoonFetch(options: CocoonFetchOptions): typeof fetch {
  const root = runnerRoot(options.baseURL);
  const base = root.href.replace(/\/+$/, '');
  const fetchImpl = options.fetch ?? ((input: Parameters<typeof fetch>[0], init?: RequestInit) => globalThis.fetch(input, init));
  const now = options.now ?? Date.now;
  const session = new E2eRequestSession({
    verifier: options.verifier, now, maxRecipients: Math.max(1, Math.floor(options.maxRecipients ?? DEFAULT_MAX_RECIPIENTS)),
    sealer: options.sealer ?? new E2eRequestSealer({ now }),
  });
  const required = options.require ?? true;

  const e2eFetch = async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const rootPath = root.pathname.replace(/\/+$/, '');
    const path = url.pathname.startsWith(rootPath) ? url.pathname.slice(rootPath.length) : url.pathname;
    if (method !== 'POST' || url.origin !== root.origin || !INFERENCE_PATHS.has(path)) return fetchImpl(input, init);
    const request = new Request(input, init);
    const signal = init?.signal ?? (input instanceof Request ? input.signal : undefined) ?? undefined;
    const text = await request.text();
    try {
      const parsed = readE2eInferenceRequest(text);
      const listing = await fetchE2eWorkers(fetchImpl, base, parsed.model, signal);
      if (listing.workers.length === 0 && listing.malformed.length === 0) {
        const reason = listing.unavailable ?? `no end-to-end worker serves ${parsed.model}`;
        if (required) throw new CocoonError('CCN_ERR_E2E_UNAVAILABLE', `end-to-end encryption is required, but ${reason}`);
        options.onFallback?.(reason);
        return fetchImpl(url, { method, headers: request.headers, body: text, ...(signal ? { signal } : {}) });
      }
      const exchange = await sealToVerifiedKeys(session, listing.workers, listing.malformed, {
        httpRequest: { method: 'POST', url: path, headers: [{ name: 'Content-Type', value: 'application/json' }], payload: parsed.body },
        model: parsed.model, maxTokens: parsed.maxTokens, maxCoefficient: parsed.maxCoefficient, timeoutMs: parsed.timeoutMs,
      });
      const { sealed } = exchange;
      const relayed = await fetchImpl(`${base}/v1/e2e/requests`, {
        method: 'POST', headers: { 'content-type': 'application/octet-stream', accept: 'application/x-ndjson' }, body: Uint8Array.from(sealed.bytes), ...(signal ? { signal } : {}),
      });
      if (!relayed.ok || !relayed.body || !/application\/x-ndjson/.test(relayed.headers.get('content-type') ?? '')) {
        // Refused before the first chunk: the runner's (or proxy's, or worker's) OpenAI error, as it answered it.
        const headers = new Headers(relayed.headers);
        headers.set('x-cocoon-e2e', '1');
        headers.delete('content-length');
        return new Response(await relayed.text(), { status: relayed.ok ? 502 : relayed.status, headers });
      }
      return await answerResponse(new E2eAnswerReader(exchange, readRelayEvents(relayed.body)), toHex(sealed.requestId), parsed.stream);
    } catch (error) {
      return openAiErrorResponse(error, true);
    }
  };
  return e2eFetch as typeof fetch;
}

async function answerResponse(reader: E2eAnswerReader, requestIdHex: string, stream: boolean): Promise<Response> {
  const head = await reader.open();
  const headers = new Headers();
  for (const [name, value] of head.headers) if (!FRAMING_HEADERS.has(name.toLowerCase())) headers.append(name, value);
  headers.set('x-cocoon-e2e', '1');
  headers.set('x-cocoon-receipt-id', requestIdHex);
  const isStream = stream || /text\/event-stream/.test(headers.get('content-type') ?? '');
  const init: ResponseInit = { status: head.status, statusText: head.reason, headers };
  if (!isStream) {
    const pieces: Uint8Array[] = [];
    for await (const piece of reader.body()) pieces.push(piece);
    const summary = summarizeReceipt(reader.receipt!);
    headers.set('x-cocoon-receipt', JSON.stringify(summary));
    const response = new Response(NULL_BODY_STATUSES.has(head.status) ? null : concatenate(...pieces), init);
    receipts.set(response, Promise.resolve(summary));
    return response;
  }
  const pieces = reader.body();
  let settle!: { resolve: (summary: CocoonReceiptSummary) => void; reject: (error: unknown) => void };
  const receipt = new Promise<CocoonReceiptSummary>((resolve, reject) => { settle = { resolve, reject }; });
  receipt.catch(() => undefined); // the body's reader sees the same error
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await pieces.next();
        if (next.done) {
          settle.resolve(summarizeReceipt(reader.receipt!));
          controller.close();
        } else controller.enqueue(next.value);
      } catch (error) {
        settle.reject(error);
        controller.error(error);
      }
    },
    async cancel() {
      settle.reject(new CocoonError('CCN_ERR_CANCELLED', 'the answer was not read to its end'));
      await pieces.return(undefined);
      await reader.cancel();
    },
  });
  const response = new Response(body, init);
  receipts.set(response, receipt);
  return response;
}

