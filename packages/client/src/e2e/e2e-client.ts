/**
 * The client runner's end-to-end part (§22) that both the blind relay and runner-sealing use: finds a
 * proxy session that negotiated `e2e`, asks it for its e2e workers and keeps only those whose evidence
 * verifies, sends an ext.e2eRequest opaquely (its header's request id is also the client.runQueryEx
 * request id, so the proxy's charge for it finds its record), keeps every request in the receipt store
 * — with its receipt once checked and the proxy's charge (proxy.clientRequestPayment) — and says what the
 * runner trusts (the root's allow-lists) for apps that verify evidence themselves.
 */
import { CocoonError, toHex } from '@cocoon/protocol';
import type { ExtE2eRequestHeader, ExtE2eWorker, Logger, NetworkParamsSource, ProxyClientRequestPayment } from '@cocoon/protocol';
import type { ProtocolInferenceGateway } from '../gateway/protocol-inference-gateway.ts';
import type { ClientProxyConnection } from '../connection/client-proxy-connection.ts';
import type { ClientStats } from '../client-stats.ts';
import { E2eAnswerListener } from './e2e-answer-listener.ts';
import type { E2eAnswerEvents } from './e2e-answer-listener.ts';
import type { E2eKeyDirectory, VerifiedE2eWorker } from './e2e-key-directory.ts';
import type { E2eReceiptStore } from './e2e-receipt-store.ts';
import type { E2eRequestMode, E2eStoredReceipt } from './e2e-request-record.ts';
import { storedCharge } from './e2e-receipt-record.ts';

/** What the runner checks worker evidence against, as `GET /v1/e2e/workers` reports it. */
export interface E2eTrust {
  is_test: boolean;
  hashes_checked: boolean;
  worker_hashes: string[];
  model_hashes: string[];
}

export interface E2eClientOptions {
  gateway: ProtocolInferenceGateway;
  directory: E2eKeyDirectory;
  store: E2eReceiptStore;
  params: NetworkParamsSource;
  stats: ClientStats;
  trust: () => E2eTrust;
  logger: Logger;
  now?: () => number;
  /** How long `ext.getE2eWorkers` may take (default 10000 ms). */
  workersTimeoutMs?: number;
  /**
   * How long a proxy's listing of a model's e2e workers is reused (default 1000 ms; 0 = ask per request):
   * a listing at most this old only picks the recipients (the proxy routes among them and fails over).
   */
  workersCacheMs?: number;
}

const DEFAULT_WORKERS_CACHE_MS = 1000;
const MAX_CACHED_LISTINGS = 256;

/** One request as it goes out. */
export interface E2eOutgoingRequest {
  bytes: Uint8Array;
  header: ExtE2eRequestHeader;
  requestHash: Uint8Array;
  mode: E2eRequestMode;
}

export class E2eClient {
  readonly now: () => number;
  /** Listings by connection and model: the answer (or the query in flight) and when it was asked. */
  private readonly listings = new Map<string, { at: number; workers: Promise<ExtE2eWorker[]>; connection: ClientProxyConnection }>();

  constructor(private readonly options: E2eClientOptions) {
    this.now = options.now ?? Date.now;
  }

  get store(): E2eReceiptStore {
    return this.options.store;
  }

  get directory(): E2eKeyDirectory {
    return this.options.directory;
  }

  trust(): E2eTrust {
    return this.options.trust();
  }

  /** A ready proxy session with `e2e`; CCN_ERR_E2E_UNAVAILABLE when there is none (no proxy yet, or only reference ones). */
  connection(): ClientProxyConnection {
    const connection = this.options.gateway.e2eConnection();
    if (!connection) throw new CocoonError('CCN_ERR_E2E_UNAVAILABLE', 'no connected proxy speaks end-to-end encryption (none is ready, or they are reference proxies)');
    return connection;
  }

  /** The proxy's e2e workers of `model` as it lists them (unverified: callers verify). */
  listedWorkers(connection: ClientProxyConnection, model: string): Promise<ExtE2eWorker[]> {
    const cacheMs = this.options.workersCacheMs ?? DEFAULT_WORKERS_CACHE_MS;
    const ask = (): Promise<ExtE2eWorker[]> => this.options.gateway.getE2eWorkers(connection, model, this.options.workersTimeoutMs ?? 10_000);
    if (cacheMs <= 0) return ask();
    const key = `${connection.address}\u0000${model}`;
    const now = this.now();
    const cached = this.listings.get(key);
    if (cached !== undefined && cached.connection === connection && now - cached.at < cacheMs) return cached.workers;
    const workers = ask();
    workers.catch(() => { if (this.listings.get(key)?.workers === workers) this.listings.delete(key); });
    this.listings.delete(key);
    if (this.listings.size >= MAX_CACHED_LISTINGS) this.listings.delete(this.listings.keys().next().value as string);
    this.listings.set(key, { at: now, workers, connection });
    return workers;
  }

  /** The proxy's e2e workers of `model` whose evidence verified, in the proxy's order (their keys are remembered for receipt checks). */
  async verifiedWorkers(connection: ClientProxyConnection, model: string): Promise<VerifiedE2eWorker[]> {
    return this.options.directory.verify(await this.listedWorkers(connection, model), model);
  }

  /**
   * Records the request (CCN_ERR_E2E_REPLAYED for an id sent before) and sends it; `events` get its answer.
   * The record's LMDB commit runs while the request travels (not a disk flush per request on the way out);
   * if it fails, the request is given up with that error. Returns the listener (abort it to give the request up).
   */
  async send(connection: ClientProxyConnection, request: E2eOutgoingRequest, events: E2eAnswerEvents): Promise<E2eAnswerListener> {
    const { header } = request;
    const requestId = Buffer.from(header.request_id);
    const idHex = toHex(requestId);
    const committed = this.options.store.admit({
      request_id: idHex, mode: request.mode, model: header.model, started_at_ms: this.now(), request_hash: toHex(request.requestHash), proxy: connection.address,
    });
    connection.onRequestPayment ??= (payment) => this.onRequestPayment(payment);
    const pricePerToken = this.options.params.current().pricePerToken;
    const listener = new E2eAnswerListener(events, () => connection.forget(requestId), this.options.stats, pricePerToken, this.now());
    try {
      listener.link = this.options.gateway.runE2eQuery(connection, {
        requestId, bytes: request.bytes, model: header.model, maxTokens: header.max_tokens, maxCoefficient: header.max_coefficient, timeoutMs: header.timeout_ms,
      }, listener);
    } catch (error) {
      committed.catch(() => undefined);
      this.finish(idHex, error);
      throw error;
    }
    committed.catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      this.options.logger.error('e2e receipt store write failed', { error: message });
      listener.abort(new CocoonError('CCN_ERR_INTERNAL', `the receipt store could not record the request: ${message}`, { cause: error }));
    });
    return listener;
  }

  /** The price answers are costed at (§5.2). */
  pricePerToken(): bigint {
    return this.options.params.current().pricePerToken;
  }

  saveReceipt(requestIdHex: string, receipt: E2eStoredReceipt): void {
    if (!receipt.verified) this.options.logger.warn('e2e receipt did not verify', { request_id: requestIdHex, reason: receipt.reason });
    this.background(this.options.store.setReceipt(requestIdHex, receipt));
  }

  /** Marks the request ended (ok, or with its error). */
  finish(requestIdHex: string, error: unknown): void {
    const failure = error === undefined ? null : { code: error instanceof CocoonError ? error.code : 'CCN_ERR_INTERNAL', message: error instanceof Error ? error.message : String(error) };
    this.background(this.options.store.finish(requestIdHex, failure));
  }

  /** The proxy's charge for one request (any request: only e2e ones have a record). */
  onRequestPayment(payment: ProxyClientRequestPayment): void {
    this.background(this.options.store.recordCharge(toHex(payment.request_id), storedCharge(payment, this.now())));
  }

  private background(write: Promise<void>): void {
    write.catch((error: unknown) => this.options.logger.error('e2e receipt store write failed', { error: error instanceof Error ? error.message : String(error) }));
  }
}
