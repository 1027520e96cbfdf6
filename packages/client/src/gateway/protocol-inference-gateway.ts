/**
 * The client's InferenceGateway over the COCOON protocol (§4.2, §4.7): wraps the HTTP
 * request into `http.request`, sends `client.runQueryEx` to a ready proxy connection, and
 * turns the answer messages (Ex family and the legacy non-Ex family the reference proxy
 * still sends for rejections, §12) into a streamed HTTP answer. With our extensions (§19): an
 * aborted request (the app left, the client timer fired) is cancelled at the proxy
 * (ext.cancelQuery), the answer body grants the proxy credit as the HTTP edge drains it, and an error
 * keeps the CCN_ERR_* code the proxy sent (ext.clientQueryAnswerErrorCoded); only a reference proxy's
 * errors are read by their texts. An encrypted request (§20) carries its `receiver_public_key` in
 * `public_key` (flags bit 1, as the reference sets it on every protocol ≥ 3 session: zeros when clear);
 * a session below protocol 3 cannot carry it and the request is refused (CCN_ERR_ENCRYPTION_UNSUPPORTED).
 * End-to-end requests (§22) go out opaque through `runE2eQuery`; `getE2eWorkers` asks for the e2e workers' evidence.
 * The app's provider preferences (§4.4): max_price caps max_coefficient at the network price; sort and
 * allow_fallbacks travel as ext.runQueryWithPreferences where the session has `market` (dropped otherwise);
 * `/v1/models` asks a `market` proxy ext.getMarket (measured latency, throughput, reliability per worker).
 */
import {
  CocoonError, randomIdBytes, PeerReportedError, cocoonCodeOfPeerError, decodeHttpResponse, encodeHttpRequest, peerErrorOfAnswer, unixSecondsHeader,
} from '@cocoon/protocol';
import type { ExtE2eWorker, ExtE2eWorkers, NetworkParamsSource, TlObject } from '@cocoon/protocol';
import type { GatewayAnswer, GatewayModel, GatewayRequest, GatewayUsage, InferenceGateway } from '../http/index.ts';
import type { AnswerListener, ClientProxyConnection, RunningQueryLink } from '../connection/client-proxy-connection.ts';
import { AnswerBodyQueue } from './answer-body-queue.ts';
import { marketModels } from './market-models.ts';
import { effectiveMaxCoefficient, queryWithPreferences } from '../routing/provider-preferences.ts';
import { ClientProxyPool, type ClientProxyPoolOptions, type ClientProxyRoute } from '../connection/client-proxy-pool.ts';
import type { ClientStats } from '../client-stats.ts';

/** Consumed answer bytes are granted back to the proxy in batches of at least this many. */
export const CLIENT_GRANT_BATCH_BYTES = 64 * 1024;

/** One end-to-end request as `runE2eQuery` sends it: the ext.e2eRequest bytes and the fields of its header. */
export interface E2eQueryInput {
  /** The client.runQueryEx request id (the runner uses the header's request id). */
  requestId: Uint8Array;
  bytes: Uint8Array;
  model: string;
  maxTokens: number;
  maxCoefficient: number;
  timeoutMs: number;
}

export interface ProtocolInferenceGatewayOptions {
  connections: readonly ClientProxyConnection[];
  /** The price costs are reported with (§5.2), read per request: on chain the root contract's current one. */
  params: NetworkParamsSource;
  stats: ClientStats;
  now?: () => number;
  random?: (bytes: number) => Buffer;
  /** Told of each failover to another proxy (§1.2), for the log. */
  onFailover?: ClientProxyPoolOptions['onFailover'];
}

export class ProtocolInferenceGateway implements InferenceGateway {
  private readonly now: () => number;
  private readonly random: (bytes: number) => Buffer;
  private pool: ClientProxyPool | undefined;

  constructor(private readonly options: ProtocolInferenceGatewayOptions) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? randomIdBytes;
  }

  async run(request: GatewayRequest): Promise<GatewayAnswer> {
    const connection = this.readyConnection();
    const keyFields = publicKeyFields(connection.protoVersion, request.receiverPublicKey);
    const requestId = this.random(32);
    const query = encodeHttpRequest({
      method: request.method, url: request.path, httpVersion: 'HTTP/1.1',
      headers: requestHeaders(request.headers),
      payload: request.body,
    });
    const exchange = new ClientAnswerExchange(this.options.params.current().pricePerToken, this.now(), () => connection.forget(requestId), this.options.stats);
    request.signal.addEventListener('abort', () => exchange.abort(request.signal.reason), { once: true });
    this.options.stats.queryStarted(query.length);
    exchange.link = connection.runQuery(queryWithPreferences({
      _: 'client.runQueryEx',
      model_name: request.model,
      query,
      max_coefficient: effectiveMaxCoefficient(request.maxCoefficient, request.provider, this.options.params.current().pricePerToken),
      max_tokens: request.maxTokens,
      timeout: (request.timeoutMs / 1000) * 0.95,
      request_id: requestId,
      min_config_version: 0,
      enable_debug: request.enableDebug,
      ...keyFields,
    }, request.provider), exchange);
    return exchange.answer;
  }

  /** `/v1/models`: ext.getMarket (§4.4) from a proxy that negotiated `market`, else client.getWorkerTypesV2. */
  async listModels(signal: AbortSignal): Promise<GatewayModel[]> {
    const market = this.options.connections.find((candidate) => candidate.isReady && candidate.extensions.has('market'));
    if (market) {
      if (signal.aborted) throw new CocoonError('CCN_ERR_CANCELLED');
      return marketModels(await market.query({ _: 'ext.getMarket' }, 10_000), this.options.params.current().pricePerToken);
    }
    const connection = this.readyConnection();
    if (signal.aborted) throw new CocoonError('CCN_ERR_CANCELLED');
    const result = await connection.query({ _: 'client.getWorkerTypesV2' }, 10_000);
    if (result._ !== 'client.workerTypesV2') throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', `expected client.workerTypesV2, got ${result._}`);
    const { pricePerToken } = this.options.params.current();
    return (result.types as TlObject[]).map((type) => ({
      id: type.name as string,
      workers: (type.workers as TlObject[]).map((worker) => ({
        coefficient: worker.coefficient as number,
        pricePerTokenNanoton: (Number(pricePerToken) * (worker.coefficient as number)) / 1000,
        runningRequests: worker.active_requests as number,
        maxRunningRequests: worker.max_active_requests as number,
      })),
    }));
  }

  /** A ready proxy connection whose session negotiated `e2e` (§22), if any. */
  e2eConnection(): ClientProxyConnection | undefined {
    return this.options.connections.find((candidate) => candidate.isReady && candidate.extensions.has('e2e'));
  }

  /** `ext.getE2eWorkers` (§22) on a connection whose session has `e2e`: the proxy's e2e workers of `model`, as it sent them (unverified). */
  async getE2eWorkers(connection: ClientProxyConnection, model: string, timeoutMs = 10_000): Promise<ExtE2eWorker[]> {
    if (!connection.extensions.has('e2e')) throw new CocoonError('CCN_ERR_E2E_UNAVAILABLE', 'the proxy session did not negotiate end-to-end encryption');
    const result = await connection.query({ _: 'ext.getE2eWorkers', model }, timeoutMs);
    if (result._ !== 'ext.e2eWorkers') throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', `expected ext.e2eWorkers, got ${result._}`);
    return (result as ExtE2eWorkers).workers;
  }

  /**
   * Sends an end-to-end request (§22): `client.runQueryEx` whose `query` is the boxed ext.e2eRequest bytes, its
   * fields from the request's header. Its answer messages (sealed chunks, ext.e2eReceipt, the final info or the
   * error) go to `listener` as they come: nothing here decodes them. The caller forgets the request id when done.
   */
  runE2eQuery(connection: ClientProxyConnection, query: E2eQueryInput, listener: AnswerListener): RunningQueryLink {
    if (!connection.extensions.has('e2e')) throw new CocoonError('CCN_ERR_E2E_UNAVAILABLE', 'the proxy session did not negotiate end-to-end encryption');
    this.options.stats.queryStarted(query.bytes.length);
    return connection.runQuery({
      _: 'client.runQueryEx',
      model_name: query.model,
      query: Buffer.from(query.bytes),
      max_coefficient: query.maxCoefficient,
      max_tokens: query.maxTokens,
      timeout: (query.timeoutMs / 1000) * 0.95,
      request_id: Buffer.from(query.requestId),
      min_config_version: 0,
      enable_debug: false,
      ...publicKeyFields(connection.protoVersion, undefined),
    }, listener);
  }

  /** §1.2: the least loaded ready proxy, failing over to another one while nothing was answered (ClientProxyPool). */
  private readyConnection(): ClientProxyRoute {
    this.pool ??= new ClientProxyPool(this.options.connections, { now: this.now, ...(this.options.onFailover ? { onFailover: this.options.onFailover } : {}) });
    return this.pool.route();
  }
}

/** Assembles the answer messages of one request into a GatewayAnswer. */
class ClientAnswerExchange implements AnswerListener {
  readonly answer: Promise<GatewayAnswer>;
  private resolveAnswer!: (answer: GatewayAnswer) => void;
  private rejectAnswer!: (error: Error) => void;
  private resolveUsage!: (usage: GatewayUsage | undefined) => void;
  private readonly usage: Promise<GatewayUsage | undefined>;
  private body: AnswerBodyQueue | undefined;
  private finished = false;
  /** Set once the query went out: cancel and credit on its session. */
  link: RunningQueryLink | undefined;
  private ungranted = 0;

  constructor(
    private readonly pricePerToken: bigint,
    private readonly startedAt: number,
    private readonly release: () => void,
    private readonly stats: ClientStats,
  ) {
    this.answer = new Promise((resolve, reject) => { this.resolveAnswer = resolve; this.rejectAnswer = reject; });
    this.usage = new Promise((resolve) => { this.resolveUsage = resolve; });
    this.answer.catch(() => undefined);
  }

  onAnswerMessage(message: TlObject): void {
    if (this.finished) return;
    try {
      switch (message._) {
        case 'client.queryAnswerEx':
        case 'client.queryAnswer':
          return this.onAnswer(message);
        case 'client.queryAnswerPartEx':
        case 'client.queryAnswerPart':
          return this.onPart(message);
        case 'ext.e2eReceipt': // only end-to-end requests (§22) have one; they never come here
          return;
        default: // client.queryAnswerErrorEx, ext.clientQueryAnswerErrorCoded and the legacy errors
          return this.fail(peerErrorOfAnswer(message), finalTokens(message));
      }
    } catch (error) {
      this.fail(error instanceof Error ? error : new Error(String(error)), undefined);
    }
  }

  onConnectionLost(error: CocoonError): void {
    this.fail(new CocoonError('CCN_ERR_SESSION_CLOSED', `proxy connection lost: ${error.message}`), undefined);
  }

  abort(reason: unknown): void {
    if (!this.finished) this.link?.cancel();
    this.fail(reason instanceof Error ? reason : new CocoonError('CCN_ERR_CANCELLED'), undefined);
  }

  private onAnswer(message: TlObject): void {
    if (this.body) throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', 'answer received twice');
    const response = decodeHttpResponse(message.answer as Buffer);
    const headers: Record<string, string> = {};
    for (const [name, value] of response.headers) headers[name.toLowerCase()] = value;
    headers['x-cocoon-client-start'] = unixSecondsHeader(this.startedAt);
    const link = this.link;
    this.body = new AnswerBodyQueue(link ? { hold: () => link.holdReading(), onConsumed: (bytes) => this.grant(bytes) } : {});
    this.stats.bytesReceived(response.payload.length);
    this.body.push(response.payload);
    this.resolveAnswer({ status: response.statusCode, headers, body: this.body, usage: this.usage });
    if (isCompleted(message)) this.complete(finalTokens(message));
  }

  private onPart(message: TlObject): void {
    if (!this.body) throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', 'answer part before answer');
    const chunk = message.answer as Buffer;
    this.stats.bytesReceived(chunk.length);
    this.body.push(chunk);
    if (isCompleted(message)) this.complete(finalTokens(message));
  }

  /** Grants the proxy what the HTTP edge has taken, in batches. */
  private grant(bytes: number): void {
    if (this.finished || !this.link?.extensions.has('credit')) return;
    this.ungranted += bytes;
    if (this.ungranted < CLIENT_GRANT_BATCH_BYTES) return;
    const granted = this.ungranted;
    this.ungranted = 0;
    this.link.grantCredit(granted);
  }

  private complete(tokens: bigint | undefined): void {
    this.finished = true;
    this.release();
    this.body?.end();
    this.stats.queryFinished(true, tokens ?? 0n, { startedAt: this.startedAt, pricePerToken: this.pricePerToken });
    this.resolveUsage(tokens === undefined ? undefined : { totalTokens: Number(tokens), costNanoton: tokens * this.pricePerToken });
  }

  /**
   * The table code of a proxy-reported error, its message kept: the code it carries on a session with
   * `errorCodes`; only a reference proxy (nothing negotiated) is read by its message texts.
   */
  private clientError(error: PeerReportedError): CocoonError {
    const referencePeer = !this.link?.extensions.has('errorCodes');
    return new CocoonError(cocoonCodeOfPeerError(error, { referencePeer }), error.message);
  }

  private fail(error: Error, tokens: bigint | undefined): void {
    if (this.finished) return;
    this.finished = true;
    this.release();
    this.stats.queryFinished(false, tokens ?? 0n, { startedAt: this.startedAt, pricePerToken: this.pricePerToken });
    const failure = error instanceof PeerReportedError ? this.clientError(error) : error;
    if (this.body) this.body.fail(failure);
    else this.rejectAnswer(failure);
    this.resolveUsage(tokens === undefined ? undefined : { totalTokens: Number(tokens), costNanoton: tokens * this.pricePerToken });
  }
}

const ENCRYPTION_PROTO_VERSION = 3;

/** `flags` and `public_key` of client.runQueryEx, as the reference: `1 | (proto >= 3 ? 2 : 0)`, the key or zeros. */
function publicKeyFields(protoVersion: number, receiverPublicKey: Buffer | undefined): { flags: number; public_key?: Buffer } {
  if (protoVersion >= ENCRYPTION_PROTO_VERSION) return { flags: 3, public_key: receiverPublicKey ?? Buffer.alloc(32) };
  if (receiverPublicKey) {
    // The reference client drops the key here and the worker then refuses the request; we say why at once.
    throw new CocoonError('CCN_ERR_ENCRYPTION_UNSUPPORTED', `the proxy connection speaks protocol ${protoVersion}: encrypted requests need ${ENCRYPTION_PROTO_VERSION} or newer`, { param: 'receiver_public_key' });
  }
  return { flags: 1 };
}

/** The app's headers plus a JSON content type when it sent none. */
function requestHeaders(headers: Record<string, string>): Array<[string, string]> {
  const list = Object.entries(headers);
  if (!('content-type' in headers)) list.push(['content-type', 'application/json']);
  return list;
}

function isCompleted(message: TlObject): boolean {
  if (message._.endsWith('Ex')) return ((message.flags as number) & 1) !== 0;
  return message.is_completed === true;
}

function finalTokens(message: TlObject): bigint | undefined {
  const tokens = (message.final_info as TlObject | undefined)?.tokens_used ?? message.request_tokens_used;
  return (tokens as TlObject | undefined)?.total_tokens_used as bigint | undefined;
}
