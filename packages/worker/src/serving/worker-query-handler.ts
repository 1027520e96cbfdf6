/**
 * Serves one `proxy.runQueryEx` on the worker (§4.6): admission against the active-request
 * limit, request validation and rewriting, forwarding to the inference engine, and the
 * answer stream back to the proxy with token counting on the way — SSE included, so
 * streamed answers are billed (the reference bills them 0) — ending in `final_info`.
 * Serves chat and legacy completions (JSON) and audio transcriptions (multipart, forwarded
 * with its Content-Type to the engine's /v1/audio/transcriptions).
 * With controls (§19): the signal (ext.cancelQuery, proxy gone) aborts the engine request and the
 * error reports what was generated; the send window pauses the engine body while the proxy link
 * cannot take more (full socket buffer, no credit); where the proxy negotiated `errorCodes`, a failure
 * travels as ext.proxyQueryAnswerErrorCoded with its CCN_ERR_* code (else the reference message).
 * Encrypted requests (proto 3, §20): with the private key of `proxy.runQueryEx` the body is decrypted
 * before validation, and every answer object is encrypted back to the sender after the token counter.
 * End-to-end requests (e2e design; sessions with `e2e` only): the sealed ext.e2eRequest is opened first
 * (E2eServedRequest), every answer message's bytes are sealed into an ext.e2eAnswerChunk, and the signed
 * ext.e2eReceipt goes out just before the final message, success or error.
 */
import {
  CocoonError, decodeHttpRequest, encodeHttpResponse, errorAnswerMessage, isAllZero, toCocoonError, unixSecondsHeader, withoutFramingHeaders,
} from '@cocoon/protocol';
import type { AdjustedTokens, Logger, NetworkParamsSource, RandomBytes, SessionExtension, TlObject, TokensUsed } from '@cocoon/protocol';
import { openEncryptedRequest, validateInferenceRequest } from '../request/index.ts';
import { AnswerEncryptor } from './answer-encryptor.ts';
import { UsageTokenCounter } from '../accounting/index.ts';
import { readEngineBody } from '../engine/index.ts';
import type { EngineResponse, InferenceEngine } from '../engine/index.ts';
import type { WorkerStats } from './worker-stats.ts';
import type { QueryControls } from './running-queries.ts';
import { E2eServedRequest, isWorkerE2eQuery } from '../e2e/e2e-served-request.ts';
import type { E2eReceiptFields, WorkerE2eContext } from '../e2e/e2e-served-request.ts';

export interface WorkerQueryContext {
  engine: InferenceEngine;
  modelBaseName: string;
  /** Price and multipliers (§5), read once per request: on chain the root contract's current ones. */
  params: NetworkParamsSource;
  maxActiveRequests: number;
  stats: WorkerStats;
  logger: Logger;
  now: () => number;
  /** Randomness for encrypted answers (nonces, paddings); default WebCrypto. */
  encryptionRandom?: RandomBytes;
  /** End-to-end requests; absent = off (such a query is then an undecodable http.request). */
  e2e?: WorkerE2eContext;
}

type Send = (message: TlObject) => void;

const NO_TOKENS: AdjustedTokens = { prompt: 0, cached: 0, completion: 0, reasoning: 0, total: 0 };

export class WorkerQueryHandler {
  private active = 0;

  constructor(private readonly context: WorkerQueryContext) {}

  get activeRequests(): number {
    return this.active;
  }

  /** Serves the query; never throws — every outcome is reported to the proxy. */
  async serve(query: TlObject, send: Send, controls?: QueryControls): Promise<void> {
    const requestId = query.request_id as Buffer;
    const startedAt = this.context.now();
    if (this.active >= this.context.maxActiveRequests) {
      this.context.stats.rejected();
      sendError(send, controls?.extensions, requestId, new CocoonError('CCN_ERR_WORKER_OVERLOADED'), NO_TOKENS, startedAt, this.context.now());
      return;
    }
    this.active += 1;
    this.context.stats.started();
    let counter: UsageTokenCounter | undefined;
    let success = false;
    let e2e: E2eServedRequest | undefined;
    let receiptFields: Omit<E2eReceiptFields, 'status' | 'tokensUsed' | 'endedAtMs'> | undefined;
    try {
      const coefficient = Number(query.coefficient as bigint);
      const params = this.context.params.current(); // the request is billed with the params in force when it started
      if (isWorkerE2eQuery(this.context.e2e, controls?.extensions, query.query as Buffer)) {
        e2e = await E2eServedRequest.open(this.context.e2e!, query.query as Buffer); // refused unopened: no receipt (no key signs for it)
        receiptFields = { workerRequestId: requestId, coefficient, pricePerToken: params.pricePerToken, startedAtMs: startedAt, proxy: controls?.proxy ?? '' };
      }
      const request = decodeHttpRequest(e2e ? e2e.httpRequest : query.query as Buffer);
      const headers: Record<string, string> = {};
      for (const [name, value] of withoutFramingHeaders(request.headers)) headers[name.toLowerCase()] = value;
      const privateKey = privateKeyOf(query);
      const opened = openEncryptedRequest({ url: request.url, headers, body: request.payload, privateKey });
      const validated = validateInferenceRequest({ method: request.method, url: request.url, headers, body: opened.body, modelBaseName: this.context.modelBaseName });
      const encryptor = privateKey && opened.senderPublicKey
        ? new AnswerEncryptor({
          privateKey, receiverPublicKey: opened.senderPublicKey, ...(opened.agreement ? { agreement: opened.agreement } : {}),
          ...(this.context.encryptionRandom ? { random: this.context.encryptionRandom } : {}),
        })
        : undefined;
      counter = new UsageTokenCounter({ coefficient, multipliers: params.multipliers, pricePerToken: params.pricePerToken });
      const sealE2e = e2e && receiptFields ? this.e2eSealer(e2e, receiptFields, send) : undefined;
      const timeoutMs = Math.max(1, (query.timeout as number) * 0.95 * 1000);
      const signal = controls?.signal;
      const response = await this.context.engine.forward({ path: request.url, method: request.method, headers, body: validated.body, timeoutMs, ...(signal ? { signal } : {}) });
      await this.relay(response, validated.stream, counter, encryptor, requestId, startedAt, send, controls, sealE2e);
      success = response.status < 400;
      if (counter.unbilledAudioSeconds > 0) {
        this.context.logger.warn('the engine reported transcription usage as a duration, not tokens: billed 0 tokens (stream with stream_include_usage for token usage)', { seconds: counter.unbilledAudioSeconds });
      }
    } catch (error) {
      const failure = toCocoonError(error, 'CCN_ERR_ENGINE_FAILED');
      this.context.logger.warn('request failed', { code: failure.code, error: failure.message });
      const endedAt = this.context.now();
      const finalInfo = finalInfoOf(counter?.billable ?? NO_TOKENS, startedAt, endedAt);
      if (e2e && receiptFields) send(e2e.receipt({ ...receiptFields, status: failure.wireCode, tokensUsed: finalInfo.tokens_used as TokensUsed, endedAtMs: endedAt }));
      // An opened e2e request's error travels in clear through the proxy: its code only, never details that may quote the request.
      send(errorAnswerMessage('proxy', controls?.extensions, { requestId, error: e2e ? new CocoonError(failure.code) : failure, finalInfo }));
    } finally {
      this.active -= 1;
      this.context.stats.finished(success, (success ? counter?.adjusted : counter?.billable) ?? NO_TOKENS, this.context.now() - startedAt);
    }
  }

  /**
   * Relays the engine's answer: the status line and headers travel with the first body
   * bytes (one message when the whole body arrives at once). Streamed bodies go out as the
   * engine produces them, coalescing what arrives in one event-loop turn into one part;
   * other bodies are sent complete. The last message carries `final_info`.
   */
  private async relay(
    response: EngineResponse, stream: boolean, counter: UsageTokenCounter, encryptor: AnswerEncryptor | undefined, requestId: Buffer, startedAt: number, send: Send,
    controls?: QueryControls, sealE2e?: E2eMessageSealer,
  ): Promise<void> {
    const seal = (bytes: Buffer): Buffer => (encryptor ? encryptor.transform(bytes) : bytes); // after the usage and cost fields, as the reference
    const headers: Array<[string, string]> = Object.entries(response.headers).filter(([name]) => !FRAMING.has(name));
    headers.push(['X-Cocoon-Worker-Start', unixSecondsHeader(startedAt)]);
    let answered = false;
    const emit = (data: Buffer, final: boolean) => {
      const endedAt = this.context.now();
      const finalInfo = final ? finalInfoOf(counter.adjusted, startedAt, endedAt) : undefined;
      const finalFields = finalInfo ? { flags: 1, final_info: finalInfo } : { flags: 0 };
      if (answered) {
        send({ _: 'proxy.queryAnswerPartEx', request_id: requestId, answer: sealE2e ? sealE2e(data, finalInfo, endedAt) : data, ...finalFields });
        return;
      }
      answered = true;
      if (final) headers.push(['X-Cocoon-Worker-End', unixSecondsHeader(endedAt)]);
      const answer = encodeHttpResponse({ httpVersion: 'HTTP/1.1', statusCode: response.status, reason: reasonOf(response.status), headers, payload: data });
      send({ _: 'proxy.queryAnswerEx', request_id: requestId, answer: sealE2e ? sealE2e(answer, finalInfo, endedAt) : answer, ...finalFields });
    };
    // Chunks the engine delivered in one event-loop turn are counted and sent together:
    // fewer messages on every hop, one usage scan per message, and no chunk waits longer than
    // one turn.
    let pending: Buffer[] = [];
    let flushScheduled = false;
    const takePending = (): Buffer => {
      const raw = pending.length === 1 ? pending[0]! : Buffer.concat(pending);
      pending = [];
      return seal(counter.transform(raw));
    };
    const flushPending = () => {
      flushScheduled = false;
      if (pending.length === 0) return;
      const data = takePending();
      if (data.length > 0) emit(data, false);
    };
    const window = stream ? controls?.window : undefined;
    try {
      await readEngineBody(response.body, (chunk) => {
        if (chunk.length === 0) return;
        pending.push(chunk);
        window?.consume(chunk.length); // sent within this turn
        if (stream && !flushScheduled) {
          flushScheduled = true;
          setImmediate(flushPending);
        }
      }, window);
    } catch (error) {
      if (pending.length > 0) takePending(); // count what arrived before the failure (it is billed)
      throw error;
    }
    const counted = pending.length > 0 ? takePending() : Buffer.alloc(0);
    const tail = seal(counter.flush());
    const sealedTail = encryptor ? encryptor.flush() : Buffer.alloc(0);
    emit(tail.length === 0 && sealedTail.length === 0 ? counted : Buffer.concat([counted, tail, sealedTail]), true);
  }

  /** Seals one answer message's bytes; before the final one, sends the receipt (it covers the final chunk). */
  private e2eSealer(e2e: E2eServedRequest, fields: Omit<E2eReceiptFields, 'status' | 'tokensUsed' | 'endedAtMs'>, send: Send): E2eMessageSealer {
    return (answer, finalInfo, endedAt) => {
      const chunk = e2e.seal(answer, finalInfo !== undefined);
      if (finalInfo) send(e2e.receipt({ ...fields, status: 0, tokensUsed: finalInfo.tokens_used as TokensUsed, endedAtMs: endedAt }));
      return chunk;
    };
  }
}

/** Turns an answer message's bytes into a sealed chunk; `finalInfo` only on the final message. */
type E2eMessageSealer = (answer: Buffer, finalInfo: TlObject | undefined, endedAt: number) => Buffer;

/** The private key of an encrypted request: flag bit 1 and not all zero (a proto-3 proxy sends zeros for clear requests). */
function privateKeyOf(query: TlObject): Uint8Array | undefined {
  const key = query.private_key as Buffer | undefined;
  if ((((query.flags as number | undefined) ?? 0) & 2) === 0 || key === undefined || isAllZero(key)) return undefined;
  return Uint8Array.from(key);
}

const FRAMING = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive']);

function reasonOf(status: number): string {
  return status < 400 ? 'OK' : status < 500 ? 'Bad Request' : 'Internal Server Error';
}

function finalInfoOf(tokens: AdjustedTokens, startedAt: number, endedAt: number): TlObject {
  return {
    _: 'proxy.queryFinalInfo',
    flags: 2,
    tokens_used: {
      _: 'tokensUsed',
      prompt_tokens_used: BigInt(tokens.prompt),
      cached_tokens_used: BigInt(tokens.cached),
      completion_tokens_used: BigInt(tokens.completion),
      reasoning_tokens_used: BigInt(tokens.reasoning),
      total_tokens_used: BigInt(tokens.total),
    },
    worker_start_time: startedAt / 1000,
    worker_end_time: endedAt / 1000,
  };
}

/** The final error answer with the tokens counted so far: coded where negotiated (§19), else the reference message. */
function sendError(
  send: Send, extensions: ReadonlySet<SessionExtension> | undefined, requestId: Buffer, error: CocoonError, tokens: AdjustedTokens, startedAt: number, endedAt: number,
): void {
  send(errorAnswerMessage('proxy', extensions, { requestId, error, finalInfo: finalInfoOf(tokens, startedAt, endedAt) }));
}
