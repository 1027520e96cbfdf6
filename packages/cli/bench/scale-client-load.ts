/**
 * The scale benchmark's client side: several real client sessions (PoW + TLS, `client.connectToProxy`,
 * short authorization, as the client runner) spread over the proxies, keeping a target number of
 * streamed requests (`client.runQueryEx`) in flight. For every answer it measures, against the
 * simulated workers' pacing: the added time to first token (first answer − request sent − the
 * pacing's first-chunk delay) and, per chunk, arrival − the worker's send stamp. Errors: error
 * answers, lost sessions, answers with the wrong chunk count, requests past their deadline.
 */
import { randomBytes } from 'node:crypto';
import { ClientParamsFlag, CocoonError, PROTOCOL_VERSIONS, encodeHttpRequest, expectTlObject, isTlObject, decodeHttpResponse } from '@cocoon/protocol';
import type { CocoonSession, Logger, TlObject } from '@cocoon/protocol';
import { ReconnectingSession } from '@cocoon/attestation';
import type { PeerVerifier, SecureIdentitySource } from '@cocoon/attestation';
import { monotonicNanoseconds, readChunkStamps, type StreamPacing } from '@cocoon/test-support';
import { LatencyHistogram } from './latency-histogram.ts';

export interface ScaleClientLoadOptions {
  proxies: ReadonlyArray<{ host: string; port: number }>;
  /** Client sessions in this process (spread round robin over the proxies). */
  sessions: number;
  /** Requests kept in flight by this process. */
  streams: number;
  /** New requests per second while ramping up to `streams`. */
  rampPerSecond: number;
  identity: SecureIdentitySource;
  verifier: PeerVerifier;
  maxPowDifficulty: number;
  ownerAddress: string;
  secret: string;
  model: string;
  pacing: StreamPacing;
  /** Per-request deadline (the proxy gets it as `timeout`). */
  requestTimeoutMs: number;
  logger: Logger;
}

export interface ScaleClientReport {
  inFlight: number;
  peakInFlight: number;
  started: number;
  completed: number;
  errors: number;
  errorExamples: string[];
  /** Chunks received since the last `measure()`. */
  chunks: number;
  ttftAdded: ReturnType<LatencyHistogram['toJSON']>;
  chunkAdded: ReturnType<LatencyHistogram['toJSON']>;
}

interface RunningStream {
  session: CocoonSession;
  sentNs: bigint;
  deadline: number;
  chunks: number;
  answered: boolean;
}

const QUERY_BODY = Buffer.from(JSON.stringify({ model: 'bench', stream: true, messages: [{ role: 'user', content: 'scale benchmark' }], max_tokens: 64 }));
const MAX_ERROR_EXAMPLES = 8;

export class ScaleClientLoad {
  private readonly links: ReconnectingSession[] = [];
  private readonly ready: CocoonSession[] = [];
  private readonly running = new Map<string, RunningStream>();
  private readonly ttftAdded = new LatencyHistogram();
  private readonly chunkAdded = new LatencyHistogram();
  private readonly query: Buffer;
  private issuing = false;
  private nextSession = 0;
  private rampTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly drainWaiters: Array<() => void> = [];
  private counters = { started: 0, completed: 0, errors: 0, chunks: 0, peakInFlight: 0 };
  private readonly errorExamples: string[] = [];

  constructor(private readonly options: ScaleClientLoadOptions) {
    this.query = encodeHttpRequest({
      method: 'POST', url: '/v1/chat/completions', httpVersion: 'HTTP/1.1', headers: [['Content-Type', 'application/json']], payload: QUERY_BODY,
    });
  }

  /** Opens every client session; resolves once all are authorized. */
  async connect(): Promise<void> {
    const { options } = this;
    for (let index = 0; index < options.sessions; index++) {
      const proxy = options.proxies[index % options.proxies.length]!;
      const link = new ReconnectingSession({
        host: proxy.host, port: proxy.port, identity: options.identity, verifier: options.verifier, maxPowDifficulty: options.maxPowDifficulty, logger: options.logger,
        handshake: (session) => this.handshake(session),
        onMessage: (_session, message) => this.onMessage(message),
        onLost: (error) => this.onLost(error),
      });
      this.links.push(link);
      link.start();
      await link.whenReady();
      this.ready.push(link.session!);
    }
    this.sweepTimer = setInterval(() => this.sweep(), 250);
  }

  /** Starts issuing requests, ramping up to `streams` in flight, and replaces each finished one. */
  start(): void {
    this.issuing = true;
    const perTick = Math.max(1, Math.round(this.options.rampPerSecond / 50));
    this.rampTimer = setInterval(() => {
      for (let index = 0; index < perTick && this.running.size < this.options.streams; index++) this.issue();
      if (this.running.size >= this.options.streams) {
        clearInterval(this.rampTimer);
        this.rampTimer = undefined;
      }
    }, 20);
  }

  /** Resets the latency histograms and the chunk counter (start of the measured window). */
  measure(): void {
    this.ttftAdded.reset();
    this.chunkAdded.reset();
    this.counters.chunks = 0;
  }

  report(): ScaleClientReport {
    return {
      inFlight: this.running.size, peakInFlight: this.counters.peakInFlight, started: this.counters.started, completed: this.counters.completed,
      errors: this.counters.errors, errorExamples: [...this.errorExamples], chunks: this.counters.chunks,
      ttftAdded: this.ttftAdded.toJSON(), chunkAdded: this.chunkAdded.toJSON(),
    };
  }

  /** Stops issuing new requests; resolves once every running one has ended. */
  drain(): Promise<void> {
    this.issuing = false;
    if (this.rampTimer) clearInterval(this.rampTimer);
    if (this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  close(): void {
    this.issuing = false;
    if (this.rampTimer) clearInterval(this.rampTimer);
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    for (const link of this.links) link.close();
  }

  private async handshake(session: CocoonSession): Promise<void> {
    const { options } = this;
    const versions = PROTOCOL_VERSIONS.client;
    const connected = expectTlObject(await session.query({
      _: 'client.connectToProxy',
      params: {
        _: 'client.params', flags: ClientParamsFlag.is_test | ClientParamsFlag.min_proto_version, client_owner_address: options.ownerAddress,
        is_test: true, min_proto_version: versions.min, max_proto_version: versions.max,
      },
      min_config_version: 0,
    }), 'client.connectedToProxy');
    if (connected.auth._ !== 'client.proxyConnectionAuthShort') throw new CocoonError('CCN_ERR_AUTH_FAILED', 'the proxy does not know the benchmark client');
    const result = await session.query({ _: 'client.authorizeWithProxyShort', data: Buffer.from(options.secret, 'utf8') });
    expectTlObject(result, 'client.authorizationWithProxySuccess');
  }

  private issue(): void {
    if (!this.issuing || this.ready.length === 0) return;
    const session = this.ready[this.nextSession++ % this.ready.length]!;
    if (!session.isOpen) return;
    const requestId = randomBytes(32);
    const stream: RunningStream = { session, sentNs: monotonicNanoseconds(), deadline: Date.now() + this.options.requestTimeoutMs, chunks: 0, answered: false };
    this.running.set(requestId.toString('hex'), stream);
    this.counters.started += 1;
    if (this.running.size > this.counters.peakInFlight) this.counters.peakInFlight = this.running.size;
    session.send({
      _: 'client.runQueryEx', model_name: this.options.model, query: this.query, max_coefficient: 4000, max_tokens: 64,
      timeout: this.options.requestTimeoutMs / 1000, request_id: requestId, min_config_version: 0,
    });
  }

  private onMessage(message: TlObject): void {
    if (!isTlObject(message, 'client.queryAnswerEx', 'client.queryAnswerPartEx', 'client.queryAnswerErrorEx', 'ext.clientQueryAnswerErrorCoded')) return;
    const key = (message.request_id as Buffer).toString('hex');
    const stream = this.running.get(key);
    if (!stream) return;
    const arrivedNs = monotonicNanoseconds();
    if (message._ === 'client.queryAnswerErrorEx' || message._ === 'ext.clientQueryAnswerErrorCoded') {
      const code = message._ === 'ext.clientQueryAnswerErrorCoded' ? ` ${String(message.ccn_code)}` : '';
      this.fail(key, `error answer${code}: ${String(message.error)}`);
      return;
    }
    let body: Buffer;
    if (message._ === 'client.queryAnswerEx') {
      if (stream.answered) return this.fail(key, 'answer received twice');
      stream.answered = true;
      const response = decodeHttpResponse(message.answer as Buffer);
      if (response.statusCode !== 200) return this.fail(key, `HTTP ${response.statusCode}`);
      this.ttftAdded.record(Number(arrivedNs - stream.sentNs) / 1e6 - this.options.pacing.firstChunkMs);
      body = response.payload;
    } else {
      if (!stream.answered) return this.fail(key, 'answer part before the answer');
      body = message.answer as Buffer;
    }
    for (const stamp of readChunkStamps(body.toString('latin1'))) {
      this.chunkAdded.record(Number(arrivedNs - stamp) / 1e6);
      stream.chunks += 1;
      this.counters.chunks += 1;
    }
    if (((message.flags as number) & 1) === 0) return;
    if (stream.chunks !== this.options.pacing.chunkCount) return this.fail(key, `expected ${this.options.pacing.chunkCount} chunks, got ${stream.chunks}`);
    this.running.delete(key);
    this.counters.completed += 1;
    this.afterEnd();
  }

  private fail(key: string, why: string): void {
    this.running.delete(key);
    this.counters.errors += 1;
    if (this.errorExamples.length < MAX_ERROR_EXAMPLES) this.errorExamples.push(why);
    this.afterEnd();
  }

  private afterEnd(): void {
    if (this.issuing && !this.rampTimer) this.issue();
    if (!this.issuing && this.running.size === 0) for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  private onLost(error: CocoonError): void {
    for (const [key, stream] of this.running) if (!stream.session.isOpen) this.fail(key, `session lost: ${error.message}`);
    for (let index = this.ready.length - 1; index >= 0; index--) if (!this.ready[index]!.isOpen) this.ready.splice(index, 1);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, stream] of this.running) if (now > stream.deadline) this.fail(key, 'no complete answer within the request timeout');
  }
}
