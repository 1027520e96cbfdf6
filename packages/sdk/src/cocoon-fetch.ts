/**
 * `cocoonFetch`: a fetch-compatible function (for the official `openai` client's `fetch` option, or
 * any code that calls fetch) that sends every inference request end to end encrypted through a
 * COCOON client runner. For `POST /v1/chat/completions` and `/v1/completions` it lists the model's
 * workers (`GET /v1/e2e/workers`), verifies their evidence here (the policy's portable verifier, or
 * an injected E2eEvidenceVerifier; never the proxy's word), seals the request to up to `maxRecipients` verified keys, posts it to
 * `/v1/e2e/requests`, opens the answer chunks as they come and verifies the receipt; the app gets a
 * standard Response with the worker's status, headers and body (SSE stays SSE, streamed) plus
 * `x-cocoon-e2e: 1` and `x-cocoon-receipt-id`, and `x-cocoon-receipt` (the verified receipt's JSON
 * summary) on non-streamed answers; `cocoonReceipt(response)` gives it for every answer. Failures
 * become OpenAI-style JSON error responses with their CCN_ERR_* code (mid-stream: the body errors).
 * Every other request passes through unchanged. Browser-safe: no Node built-ins.
 */
import { CocoonError, concatenate } from '@cocoon/protocol/browser';
import { E2eTransport } from './e2e-transport.ts';
import type { E2eTransportOptions, OpenedE2eAnswer } from './e2e-transport.ts';
import { readE2eInferenceRequest } from './e2e-inference-request.ts';
import { openAiErrorResponse } from './openai-error-response.ts';
import { summarizeReceipt, type CocoonReceiptSummary } from './receipt-summary.ts';

export interface CocoonFetchOptions extends E2eTransportOptions {
  /**
   * true (default: the policy's requireE2e, itself default true): an inference request is never sent
   * in clear; without an end-to-end path it fails with CCN_ERR_E2E_UNAVAILABLE. false: when the runner
   * lists no end-to-end worker for the model the request is sent as a plain one (after `onFallback`);
   * evidence that fails verification still fails.
   */
  require?: boolean;
  /** Told why a request went in clear (require: false only). */
  onFallback?: (reason: string) => void;
}

const INFERENCE_PATHS = new Set(['/v1/chat/completions', '/v1/completions']);
const FRAMING_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive']);
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
const receipts = new WeakMap<Response, Promise<CocoonReceiptSummary>>();

/** The verified receipt of an answer cocoonFetch returned (settles when its body was read to the end); undefined for pass-through answers. */
export function cocoonReceipt(response: Response): Promise<CocoonReceiptSummary> | undefined {
  return receipts.get(response);
}

export function cocoonFetch(options: CocoonFetchOptions): typeof fetch {
  const transport = new E2eTransport(options);
  return fetchThrough(transport, options.require ?? transport.requireE2e, options.onFallback);
}

/** cocoonFetch over an existing transport (createCocoon's `fetch` shares its verified evidence). */
export function fetchThrough(transport: E2eTransport, required: boolean, onFallback?: (reason: string) => void): typeof fetch {
  const { root } = transport;
  const fetchImpl = transport.fetch;
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
      const sent = await transport.send({
        path, contentType: 'application/json', body: parsed.body, model: parsed.model, maxTokens: parsed.maxTokens, maxCoefficient: parsed.maxCoefficient, timeoutMs: parsed.timeoutMs, signal,
      });
      if (sent.kind === 'unavailable') {
        if (required) throw new CocoonError('CCN_ERR_E2E_UNAVAILABLE', `end-to-end encryption is required, but ${sent.reason}`);
        onFallback?.(sent.reason);
        return fetchImpl(url, { method, headers: request.headers, body: text, ...(signal ? { signal } : {}) });
      }
      if (sent.kind === 'refused') {
        // Refused before the first chunk: the runner's (or proxy's, or worker's) OpenAI error, as it answered it.
        const headers = new Headers(sent.refusal.headers);
        headers.set('x-cocoon-e2e', '1');
        headers.delete('content-length');
        headers.delete('content-encoding');
        return new Response(sent.refusal.text, { status: sent.refusal.status, headers });
      }
      return await answerResponse(sent.answer, parsed.stream);
    } catch (error) {
      return openAiErrorResponse(error, true);
    }
  };
  return e2eFetch as typeof fetch;
}

async function answerResponse(answer: OpenedE2eAnswer, stream: boolean): Promise<Response> {
  const { reader, requestId: requestIdHex } = answer;
  const head = answer;
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
    const response = new Response(NULL_BODY_STATUSES.has(head.status) ? null : Uint8Array.from(concatenate(...pieces)), init);
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

