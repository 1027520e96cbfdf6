/**
 * One client request inside the proxy (§4.3–§4.8): admission and reservation, worker
 * selection, forwarding as proxy.runQueryEx, relaying the worker's answers to the client,
 * retry on another worker when the chosen one fails before the first answer byte
 * (beyond the reference), the proxy's own timer, and completion accounting. Answer messages
 * reach the client through a bounded ClientAnswerRelay (credit and backpressure, §19); a cancel
 * from the client (ext.cancelQuery) or its going away is forwarded to a worker that negotiated it,
 * which then reports what it generated. The final answer waits for the ledger at most until the
 * request's deadline: a stalled write ends the request with CCN_ERR_TIMEOUT. Errors keep their CCN_ERR_*
 * code across the hop where both sides negotiated `errorCodes` (§19): the worker's code is relayed to
 * the client, the proxy's own refusals carry theirs.
 * Encrypted requests (proto 3, docs/protocol.md §20): the client's `public_key` names the key the app
 * encrypted to; the proxy finds its private key in the key ring (unknown: CCN_ERR_ENCRYPTION_UNKNOWN_KEY,
 * the reference's `unknown public key`), sends it only to workers of protocol ≥ 3 in
 * `proxy.runQueryEx.private_key`, and never logs it.
 * End-to-end requests (§22, e2e-route.ts): only the clear header is read; they go only to workers whose
 * evidence lists a recipient key, never through the key ring, without debug; the query and the answer
 * bytes pass unchanged (no X-Cocoon-Proxy-* header) and the worker's `ext.e2eReceipt` goes to the client
 * right before the final message. Nothing of their content is logged or stored.
 * Version 0 (§3.3): a worker of version 0 gets `proxy.runQuery` and its legacy answers are read as Ex; a
 * client of version 0 gets the legacy answers with their `tokensUsed` (answer-shape.ts).
 */
import {
  CocoonError, isAllZero, randomIdBytes, PeerReportedError, WireErrorCode, decodeHttpResponse, encodeHttpResponse, errorAnswerMessage, peerErrorOfAnswer,
  toCocoonError, unixSecondsHeader,
} from '@cocoon/protocol';
import type { AdjustedTokens, ExtE2eReceipt, TlObject } from '@cocoon/protocol';
import type { RegisteredWorker, RoutingPreferences, WorkerRequestHandle } from '../routing/index.ts';
import { isWorkerFault, routingPreferencesOf } from '../routing/index.ts';
import type { ProxyRequestContext, ProxyRequestSink, WorkerLink } from './proxy-request-context.ts';
import type { Admission, Reservation } from '../billing/index.ts';
import type { LedgerTotals } from '../ledger/index.ts';
import { ClientAnswerRelay } from './client-answer-relay.ts';
import { clientReceipt, e2eRouteOf, e2eRoutingError, excludeNonRecipients } from '../e2e/e2e-route.ts';
import type { E2eRoute } from '../e2e/e2e-route.ts';
import { ENCRYPTION_PROTO_VERSION, ZERO_TOKENS, clientAnswerShape, workerAnswerAsEx, workerRunQuery } from './answer-shape.ts';

/** Least time the final answer waits for a durable ledger entry, even at the request's deadline. */
const MIN_LEDGER_WAIT_MS = 250;

export interface ClientRunQuery {
  modelName: string;
  query: Buffer;
  maxCoefficient: number;
  maxTokens: number;
  timeoutSeconds: number;
  clientRequestId: Buffer;
  enableDebug: boolean;
  /** `client.runQueryEx.public_key` when its flag is set and it is not all zero: the request is encrypted to it. */
  publicKey?: Buffer;
  /** The app's routing preferences as received (ext.runQueryWithPreferences, §4.4): sort, and whether other workers may be tried. */
  preferences?: { sort: string; allowFallbacks: boolean };
}

type Phase = 'selecting' | 'waiting' | 'streaming' | 'done';

interface AccountedTotals { client: LedgerTotals; worker: LedgerTotals }

/** A billed attempt: resolves once durable (undefined when recording failed), then pays. */
interface Accounted {
  durable: Promise<AccountedTotals | undefined>;
  sendPayments(totals: AccountedTotals): void;
}

export class ProxyRequest {
  readonly workerRequestId: Buffer;
  private phase: Phase = 'selecting';
  private attempt = 0;
  private readonly tried = new Set<string>();
  private worker: { link: WorkerLink; handle: WorkerRequestHandle; registered: RegisteredWorker } | undefined;
  private admission: Admission | undefined;
  private reservation: Reservation | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly startedAt: number;
  private attemptStartedAt = 0;
  private firstAnswerAt: number | undefined;
  private readonly doneCallbacks: Array<() => void> = [];
  private readonly relay: ClientAnswerRelay;
  private cancelled = false;
  /** The private key of an encrypted request, from the key ring; undefined for a clear one. */
  private privateKey: Buffer | undefined;
  /** Whether a (non-final) first answer was relayed: a version-0 client's error is then `client.queryAnswerPartError`. */
  private answerSent = false;
  /** The app's routing preferences (§4.4), checked at start; undefined: the market score, with fallbacks. */
  private routing: RoutingPreferences | undefined;
  /** Set for an end-to-end request (§22): its recipient keys. */
  private e2e: E2eRoute | undefined;
  /** The serving worker's e2e receipt, relayed right before the final message (cleared on a retry). */
  private e2eReceipt: TlObject | undefined;

  constructor(
    private readonly context: ProxyRequestContext,
    private readonly sink: ProxyRequestSink,
    private readonly request: ClientRunQuery,
  ) {
    this.workerRequestId = (context.random ?? randomIdBytes)(32);
    this.startedAt = context.now();
    this.relay = new ClientAnswerRelay(sink);
  }

  get workerRequestIdHex(): string {
    return this.workerRequestId.toString('hex');
  }

  /** Called once when the request has ended (answered, failed or timed out). */
  onDone(callback: () => void): void {
    this.doneCallbacks.push(callback);
  }

  /** Admits, reserves and forwards; every outcome ends in exactly one final client message. */
  start(): void {
    const { request, context } = this;
    try {
      checkRunQuery(request);
      if (request.preferences) this.routing = routingPreferencesOf({ sort: request.preferences.sort, allow_fallbacks: request.preferences.allowFallbacks });
      this.admission = this.sink.account.admit({
        maxTokens: request.maxTokens,
        queryBytes: request.query.length,
        maxCoefficient: request.maxCoefficient,
      });
      this.e2e = e2eRouteOf(request.query, request.modelName, this.sink.extensions);
      this.privateKey = this.e2e ? undefined : this.encryptionKey(); // the key ring never applies to e2e
    } catch (error) {
      context.stats.rejected();
      this.finishWithError(error);
      return;
    }
    const timeoutMs = Math.max(1, Math.round(request.timeoutSeconds * 1000));
    this.timer = setTimeout(() => this.onTimeout(), timeoutMs);
    this.timer.unref();
    this.forwardToNextWorker();
  }

  /** An answer message from the worker currently serving this request. */
  onWorkerMessage(received: TlObject): void {
    if (this.phase === 'done' || this.phase === 'selecting') return;
    try {
      const message = workerAnswerAsEx(received); // a legacy (version-0) answer as its Ex form
      switch (message._) {
        case 'proxy.queryAnswerEx':
          return this.onWorkerAnswer(message);
        case 'proxy.queryAnswerPartEx':
          return this.onWorkerPart(message);
        case 'proxy.queryAnswerErrorEx':
        case 'ext.proxyQueryAnswerErrorCoded':
          return this.onWorkerError(peerErrorOfAnswer(message), message);
        default:
          throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', `unexpected answer ${message._}`);
      }
    } catch (error) {
      this.failAttempt(toCocoonError(error, 'CCN_ERR_PROTOCOL_VIOLATION'), ZERO_TOKENS);
    }
  }

  /** The serving worker's `ext.e2eReceipt` for this request (kept for the client until the final message). */
  onWorkerReceipt(message: ExtE2eReceipt): void {
    if (!this.e2e || this.phase === 'done' || this.phase === 'selecting') return;
    this.e2eReceipt = clientReceipt(message, this.request.clientRequestId);
  }

  /** The serving worker's connection went away. */
  onWorkerGone(error: CocoonError): void {
    if (this.phase === 'done' || this.phase === 'selecting') return;
    this.failAttempt(new CocoonError('CCN_ERR_WORKER_DISCONNECTED', `worker disconnected: ${error.message}`), ZERO_TOKENS);
  }

  /** The client connection went away: stop relaying, cancel where the worker can, still account what it reports. */
  onClientGone(): void {
    this.sink.detached = true;
    this.cancel('the client connection closed');
  }

  /**
   * The client gave up (ext.cancelQuery) or left: nothing more is relayed; a worker that negotiated
   * cancel is told to stop (ext.cancelQuery) and its final report is billed; a reference worker runs
   * to its end as before and is billed as before. Before any worker has it, the request just ends.
   */
  cancel(reason: string): void {
    if (this.phase === 'done' || this.cancelled) return;
    this.cancelled = true;
    this.relay.drop();
    const worker = this.worker;
    if (!worker) {
      this.finishWithError(new CocoonError('CCN_ERR_CANCELLED', `request cancelled: ${reason}`));
      return;
    }
    this.context.logger.debug('request cancelled', { request: this.workerRequestIdHex, reason, forwarded: this.sendCancel(worker.link) });
  }

  /** ext.grantCredit from the client. */
  grantClientCredit(bytes: number): void {
    this.relay.grantFromClient(bytes);
  }

  /** Called once the answer has fully left for the client (or was dropped); may be after `onDone`. */
  onAnswerDelivered(callback: () => void): void {
    this.relay.onFinished(callback);
  }

  /** The client session can take more bytes again. */
  onClientDrain(): void {
    this.relay.flush();
  }

  /** Tells a worker that negotiated cancel to stop this request; false for a reference worker. */
  private sendCancel(link: WorkerLink): boolean {
    if (!link.extensions?.has('cancel')) return false;
    try {
      link.send({ _: 'ext.cancelQuery', request_id: this.workerRequestId });
      return true;
    } catch {
      return false; // the worker connection is gone: onWorkerGone ends the request
    }
  }

  /** The private key for the request's `public_key` (none: clear); the reference's `unknown public key` when the ring has none. */
  private encryptionKey(): Buffer | undefined {
    const publicKey = this.request.publicKey;
    if (publicKey === undefined || isAllZero(publicKey)) return undefined;
    const privateKey = this.context.keyRing?.privateKeyFor(publicKey, this.context.now() / 1000);
    if (privateKey === undefined) {
      throw new CocoonError('CCN_ERR_ENCRYPTION_UNKNOWN_KEY', `unknown public key ${publicKey.toString('hex')}`, { param: 'receiver_public_key' });
    }
    return Buffer.from(privateKey);
  }

  private forwardToNextWorker(): void {
    const { context, request } = this;
    this.phase = 'selecting';
    let registered: RegisteredWorker;
    try {
      const exclude = this.e2e ? excludeNonRecipients(this.tried, this.e2e, context.workerLinks) : this.tried;
      registered = context.registry.select(request.modelName, request.maxCoefficient, exclude, this.privateKey ? ENCRYPTION_PROTO_VERSION : 0, this.routing);
    } catch (error) {
      if (this.attempt === 0) context.stats.rejected();
      this.finishWithError(this.e2e ? e2eRoutingError(error, request.modelName) : this.privateKey ? encryptedRoutingError(error, request.modelName) : error);
      return;
    }
    const link = context.workerLinks.get(registered.id);
    if (!link) {
      this.tried.add(registered.id);
      this.forwardToNextWorker();
      return;
    }
    if (!this.reservation && this.admission) {
      try {
        this.reservation = this.sink.account.reserve(this.admission.tokensToReserve, { maxTokens: this.admission.maxTokens });
      } catch (error) {
        context.stats.rejected();
        this.finishWithError(error);
        return;
      }
    }
    this.attempt += 1;
    this.tried.add(registered.id);
    this.worker = { link, registered, handle: registered.begin() };
    this.attemptStartedAt = context.now();
    this.phase = 'waiting';
    const remainingSeconds = Math.max(0.001, (request.timeoutSeconds * 1000 - (context.now() - this.startedAt)) / 1000);
    try {
      link.attach(this);
      this.relay.useWorker(link, this.workerRequestId);
      link.send(workerRunQuery(registered.protoVersion, {
        query: request.query,
        signedPayment: link.signedPayment(),
        coefficient: registered.coefficient,
        timeoutSeconds: remainingSeconds * 0.95,
        requestId: this.workerRequestId,
        enableDebug: request.enableDebug && !this.e2e, // a worker's debug text would travel in clear
        privateKey: this.privateKey,
      }));
    } catch (error) {
      this.failAttempt(toCocoonError(error, 'CCN_ERR_WORKER_DISCONNECTED'), ZERO_TOKENS);
    }
  }

  private onWorkerAnswer(message: TlObject): void {
    if (this.phase !== 'waiting') throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', 'answer received twice');
    this.phase = 'streaming';
    this.firstAnswerAt = this.context.now();
    const flags = message.flags as number;
    const bytes = message.answer as Buffer;
    const answer: TlObject = { _: 'client.queryAnswerEx', request_id: this.request.clientRequestId, answer: this.e2e ? bytes : this.withProxyHeader(bytes), flags };
    if (flags & 1) this.complete(message.final_info as TlObject, answer);
    else this.toClient(answer, (message.answer as Buffer).length);
  }

  private onWorkerPart(message: TlObject): void {
    if (this.phase !== 'streaming') throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', 'answer part before answer');
    const flags = message.flags as number;
    const part: TlObject = { _: 'client.queryAnswerPartEx', request_id: this.request.clientRequestId, answer: message.answer as Buffer, flags };
    if (flags & 1) this.complete(message.final_info as TlObject, part);
    else this.toClient(part, (message.answer as Buffer).length);
  }

  /** A clear answer's http.response with the proxy's start time header (never for e2e: the proxy cannot read it). */
  private withProxyHeader(answer: Buffer): Buffer {
    const response = decodeHttpResponse(answer);
    response.headers.push(['X-Cocoon-Proxy-Start', unixSecondsHeader(this.startedAt)]);
    return encodeHttpResponse(response);
  }

  /** Queues a message for the client in the shape its protocol version reads (§3.3); an e2e receipt goes right before the final one. */
  private toClient(message: TlObject, bytes: number, final = false): void {
    if (final && this.e2eReceipt) {
      this.relay.push(this.e2eReceipt, 0, false, true);
      this.e2eReceipt = undefined;
    }
    const shaped = clientAnswerShape(this.sink.protoVersion ?? 1, message, this.answerSent);
    if (message._ === 'client.queryAnswerEx') this.answerSent = true;
    this.relay.push(shaped, bytes, final);
  }

  private onWorkerError(error: PeerReportedError, message: TlObject): void {
    const finalInfo = (message.flags as number) & 1 ? (message.final_info as TlObject) : undefined;
    this.failAttempt(error, finalInfo?.tokens_used as TlObject | undefined ?? ZERO_TOKENS, finalInfo);
  }

  private failAttempt(error: CocoonError | PeerReportedError, tokensUsed: TlObject, finalInfo?: TlObject): void {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) {
      worker.link.detach(this);
      worker.handle.end(false, this.context.now() - this.attemptStartedAt, this.failureMeasurement(error));
    }
    const answerStarted = this.phase === 'streaming';
    const retryable = error instanceof PeerReportedError ? isRetryableWireCode(error.wireCode) : error.retryable;
    if (!answerStarted && retryable && !this.cancelled && this.routing?.allowFallbacks !== false && this.context.retryPolicy.maxAttempts > this.attempt) {
      // Failing before the first answer byte means the engine produced nothing to bill.
      if ((tokensUsed.total_tokens_used as bigint) > 0n) this.context.logger.warn('retried attempt reported usage', { tokens: String(tokensUsed.total_tokens_used) });
      this.context.stats.retried();
      this.e2eReceipt = undefined; // a failed attempt's receipt does not describe the answer the client gets
      this.context.logger.warn('retrying request on another worker', { attempt: this.attempt, reason: error.message });
      this.forwardToNextWorker();
      return;
    }
    this.finishWithError(error, finalInfo, worker ? this.account(worker.registered, tokensUsed) : undefined);
  }

  /** The worker's last answer message: bill it, then send `last` with the final info. */
  private complete(finalInfo: TlObject, last: TlObject): void {
    const worker = this.worker;
    this.worker = undefined;
    this.phase = 'done';
    if (this.timer) clearTimeout(this.timer);
    let accounted: Accounted | undefined;
    if (worker) {
      worker.link.detach(this);
      worker.handle.end(true, this.context.now() - this.attemptStartedAt, {
        ...(this.firstAnswerAt === undefined ? {} : { firstAnswerMs: this.firstAnswerAt - this.attemptStartedAt }),
        completionTokens: Number((finalInfo.tokens_used as TlObject | undefined)?.completion_tokens_used ?? 0),
        singleMessage: last._ === 'client.queryAnswerEx',
      });
      accounted = this.account(worker.registered, finalInfo.tokens_used as TlObject);
    }
    this.context.stats.finished(true, this.timing());
    this.sendFinal({ ...last, final_info: this.clientFinalInfo(finalInfo) }, accounted);
    this.notifyDone();
  }

  /**
   * Sends the request's final message only once its usage is durable in the ledger, so a
   * proxy crash can never leave an answered request unbilled; the payment messages follow.
   */
  private sendFinal(message: TlObject, accounted: Accounted | undefined): void {
    if (!accounted) {
      this.toClient(message, 0, true);
      return;
    }
    const waitMs = Math.max(MIN_LEDGER_WAIT_MS, this.request.timeoutSeconds * 1000 - (this.context.now() - this.startedAt));
    let stall: NodeJS.Timeout | undefined;
    const stalled = new Promise<'stalled'>((resolve) => {
      stall = setTimeout(() => resolve('stalled'), waitMs);
      stall.unref();
    });
    void Promise.race([accounted.durable, stalled]).then((outcome) => {
      clearTimeout(stall);
      if (outcome !== 'stalled') {
        this.toClient(message, 0, true);
        if (outcome) accounted.sendPayments(outcome);
        return;
      }
      this.context.logger.error('ledger write not durable within the request timeout; answering with an error', { request: this.workerRequestIdHex, waited_ms: waitMs });
      const failure = new CocoonError('CCN_ERR_TIMEOUT', 'proxy: timeout (ledger write did not complete)');
      this.toClient(this.clientErrorAnswer(failure, message.final_info as TlObject), 0, true);
      void accounted.durable.then((totals) => { if (totals) accounted.sendPayments(totals); }); // late but still paid
    });
  }

  /** What a failed attempt tells the market score (§4.4): its first-answer time, and whether the worker caused it. */
  private failureMeasurement(error: unknown): { firstAnswerMs?: number; workerAtFault: boolean } {
    const workerAtFault = !this.cancelled && isWorkerFault(error);
    return this.firstAnswerAt === undefined ? { workerAtFault } : { firstAnswerMs: this.firstAnswerAt - this.attemptStartedAt, workerAtFault };
  }

  /** For the latency histograms: arrival to now, and to the first answer byte when one came. */
  private timing(): { durationMs: number; firstAnswerMs?: number } {
    const durationMs = this.context.now() - this.startedAt;
    return this.firstAnswerAt === undefined ? { durationMs } : { durationMs, firstAnswerMs: this.firstAnswerAt - this.startedAt };
  }

  private notifyDone(): void {
    this.relay.close();
    for (const callback of this.doneCallbacks.splice(0)) callback();
  }

  /**
   * Bills the final attempt (success or final failure). `durable` resolves once the ledger
   * holds the entry (with the new totals), or with undefined when recording failed (logged:
   * the answer still goes out, the loss is the proxy's).
   */
  private account(worker: RegisteredWorker, tokensUsed: TlObject): Accounted | undefined {
    const reservation = this.reservation;
    if (!reservation) return undefined;
    const total = tokensUsed.total_tokens_used as bigint;
    const durable = this.context.accounting
      .finish({
        requestId: this.workerRequestIdHex,
        workerOwner: worker.ownerAddress,
        reservation,
        tokensUsed: adjustedTokensOf(tokensUsed),
      })
      .then(
        (totals) => totals,
        (error: unknown) => {
          this.context.logger.error('accounting failed', { error: String(error) });
          return undefined;
        },
      );
    const sendPayments = (totals: AccountedTotals): void => {
      this.context.workerLinks.get(worker.id)?.sendPayment(this.workerRequestId, total, totals.worker, this.sink.clientOwner);
      if (!this.sink.detached) this.sink.sendPayment(this.request.clientRequestId, total, totals.client);
    };
    return { durable, sendPayments };
  }

  private finishWithError(error: unknown, finalInfo?: TlObject, accounted?: Accounted): void {
    if (this.phase === 'done') return;
    this.phase = 'done';
    if (this.timer) clearTimeout(this.timer);
    this.reservation?.release(); // no-op when the attempt was already accounted
    this.context.stats.finished(false, this.timing());
    this.sendFinal(this.clientErrorAnswer(error, this.clientFinalInfo(finalInfo)), accounted);
    this.notifyDone();
  }

  /** client.queryAnswerErrorEx, or ext.clientQueryAnswerErrorCoded (with the CCN_ERR_* code) where the client negotiated it. */
  private clientErrorAnswer(error: unknown, finalInfo: TlObject): TlObject {
    return errorAnswerMessage('client', this.sink.extensions, { requestId: this.request.clientRequestId, error, finalInfo });
  }

  private onTimeout(): void {
    if (this.phase === 'done') return;
    const worker = this.worker;
    this.worker = undefined;
    if (worker) {
      worker.link.detach(this);
      worker.handle.end(false, this.context.now() - this.attemptStartedAt);
      this.sendCancel(worker.link); // a worker that negotiated cancel stops generating for nobody
    }
    this.finishWithError(new CocoonError('CCN_ERR_TIMEOUT', 'proxy: timeout'));
  }

  private clientFinalInfo(workerInfo: TlObject | undefined): TlObject {
    const now = this.context.now();
    return {
      _: 'client.queryFinalInfo',
      flags: 2,
      tokens_used: (workerInfo?.tokens_used as TlObject | undefined) ?? ZERO_TOKENS,
      proxy_start_time: this.startedAt / 1000,
      proxy_end_time: now / 1000,
      worker_start_time: (workerInfo?.worker_start_time as number | undefined) ?? 0,
      worker_end_time: (workerInfo?.worker_end_time as number | undefined) ?? 0,
    };
  }
}

export function adjustedTokensOf(tokensUsed: TlObject): AdjustedTokens {
  return {
    prompt: Number(tokensUsed.prompt_tokens_used),
    cached: Number(tokensUsed.cached_tokens_used),
    completion: Number(tokensUsed.completion_tokens_used),
    reasoning: Number(tokensUsed.reasoning_tokens_used),
    total: Number(tokensUsed.total_tokens_used),
  };
}

/**
 * For an encrypted request, "no worker" because every candidate speaks a protocol below 3 is
 * CCN_ERR_ROUTE_NO_ENCRYPTING_WORKER (the message keeps the reference's `no workers for model` prefix).
 */
function encryptedRoutingError(error: unknown, model: string): unknown {
  if (!(error instanceof CocoonError) || error.code !== 'CCN_ERR_ROUTE_NO_WORKER' || !/speak a protocol below/.test(error.message)) return error;
  return new CocoonError('CCN_ERR_ROUTE_NO_ENCRYPTING_WORKER', `no workers for model ${model} take encrypted requests (protocol ${ENCRYPTION_PROTO_VERSION} or newer)`, { param: 'model' });
}

/** Worker-reported failures that another worker may not repeat. */
function isRetryableWireCode(code: number): boolean {
  return code === WireErrorCode.notReady;
}

/** Rejects nonsensical values from the client before anything is reserved. */
function checkRunQuery(request: ClientRunQuery): void {
  const invalid = (what: string) => new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', `invalid runQueryEx: ${what}`, { param: what });
  if (!request.modelName) throw invalid('model_name');
  if (!(request.maxCoefficient >= 0)) throw invalid('max_coefficient');
  if (!(request.maxTokens >= 0)) throw invalid('max_tokens');
  if (!(Number.isFinite(request.timeoutSeconds) && request.timeoutSeconds > 0)) throw invalid('timeout');
  if (request.clientRequestId.length !== 32) throw invalid('request_id');
}
