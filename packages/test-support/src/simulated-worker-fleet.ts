/**
 * Simulated workers for scale benchmarks and tests: many worker connections in one process, each
 * speaking the real worker protocol (§3.2) over the real transport (PoW + attested TLS 1.3 through
 * ReconnectingSession): `worker.connectToProxy` → `worker.compareBalanceWithProxy` →
 * `worker.proxyHandshakeComplete`, then `proxy.runQueryEx` answered with a paced streamed answer
 * (the first chunk after `firstChunkMs`, then one every `chunkIntervalMs`, the last part with
 * `final_info`). Every chunk carries the monotonic clock (`process.hrtime`, shared by the processes of
 * one machine) at which it was handed to the session, so a receiver can measure what the hops in
 * between added. A test double: no engine, no validation, no billing state.
 */
import { CocoonError, PROTOCOL_VERSIONS, WorkerParamsFlag, checkChosenProtocolVersion, encodeHttpResponse, isTlObject } from '@cocoon/protocol';
import type { CocoonSession, Logger, TlObject } from '@cocoon/protocol';
import { ReconnectingSession, expectAnswer } from '@cocoon/attestation';
import type { PeerVerifier, SecureIdentitySource } from '@cocoon/attestation';

export interface StreamPacing {
  /** Delay before the first chunk (the simulated time to first token). */
  firstChunkMs: number;
  /** Delay between two later chunks. */
  chunkIntervalMs: number;
  /** Content chunks per answer (≥ 1). */
  chunkCount: number;
  /** Approximate bytes of one SSE chunk (padding of its content). */
  chunkBytes: number;
}

export interface SimulatedWorkerFleetOptions {
  /** Every simulated worker connects to each of these proxies (its limit is shared: proxy_cnt = proxies.length). */
  proxies: ReadonlyArray<{ host: string; port: number }>;
  workers: number;
  identity: SecureIdentitySource;
  verifier: PeerVerifier;
  maxPowDifficulty: number;
  ownerAddress: string;
  model: string;
  /** `max_active_requests` each worker advertises (over all its proxies). */
  maxActiveRequests: number;
  pacing: StreamPacing;
  logger: Logger;
  /** Dials in flight at once (PoW + TLS), so a big fleet does not storm the proxy's front door. Default 8. */
  dialConcurrency?: number;
}

export interface SimulatedWorkerFleetStats {
  /** Worker sessions whose handshake completed (one per worker and proxy). */
  readySessions: number;
  requestsStarted: number;
  requestsCompleted: number;
  requestsCancelled: number;
  chunksSent: number;
  /** Ready sessions that were lost afterwards. */
  sessionsLost: number;
  /** Handshakes or dials that failed (each is retried). */
  connectFailures: number;
  /** How late the pacing timers fired (this process's own lag, not the network's): sum and maximum, ms. */
  pacingLateSumMs: number;
  pacingLateMaxMs: number;
}

/** The monotonic clock in nanoseconds, comparable between the processes of one machine. */
export function monotonicNanoseconds(): bigint {
  return process.hrtime.bigint();
}

const STAMP_KEY = '"t":';

/** One SSE chunk of a paced answer: `data: {…"content":"…","t":<ns>}` padded to about `bytes`. */
export function pacedChunk(index: number, stampNs: bigint, bytes: number): string {
  const head = `data: {"choices":[{"index":0,"delta":{"content":"`;
  const tail = `"}}],"i":${index},${STAMP_KEY}${stampNs}}\n\n`;
  return head + 'x'.repeat(Math.max(1, bytes - head.length - tail.length)) + tail;
}

/** The send stamps (ns) of every paced chunk in `text`, in order. */
export function readChunkStamps(text: string): bigint[] {
  const stamps: bigint[] = [];
  for (let at = text.indexOf(STAMP_KEY); at !== -1; at = text.indexOf(STAMP_KEY, at + STAMP_KEY.length)) {
    const end = text.indexOf('}', at);
    stamps.push(BigInt(text.slice(at + STAMP_KEY.length, end)));
  }
  return stamps;
}

interface PacedStream {
  session: CocoonSession;
  requestId: Buffer;
  next: number;
  timer: NodeJS.Timeout | undefined;
  startedAt: number;
  /** When the pending chunk is due (performance.now()). */
  dueAt: number;
}

/** N simulated workers × P proxies, started with `start()`, closed with `close()`. */
export class SimulatedWorkerFleet {
  readonly stats: SimulatedWorkerFleetStats = {
    readySessions: 0, requestsStarted: 0, requestsCompleted: 0, requestsCancelled: 0, chunksSent: 0, sessionsLost: 0, connectFailures: 0, pacingLateSumMs: 0, pacingLateMaxMs: 0,
  };
  private readonly links: ReconnectingSession[] = [];
  private readonly streams = new Map<string, PacedStream>();
  private closed = false;

  constructor(private readonly options: SimulatedWorkerFleetOptions) {
    if (options.pacing.chunkCount < 1) throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'pacing.chunkCount must be ≥ 1');
  }

  /** Dials every worker session (`dialConcurrency` at a time); resolves once all are ready. */
  async start(): Promise<void> {
    const { options } = this;
    const pending: ReconnectingSession[] = [];
    for (let worker = 0; worker < options.workers; worker++) {
      for (const proxy of options.proxies) pending.push(this.createLink(proxy.host, proxy.port));
    }
    this.links.push(...pending);
    let nextIndex = 0;
    const dialer = async (): Promise<void> => {
      while (nextIndex < pending.length && !this.closed) {
        const link = pending[nextIndex++]!;
        link.start();
        await link.whenReady();
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.dialConcurrency ?? 8) }, dialer));
  }

  close(): void {
    this.closed = true;
    for (const stream of this.streams.values()) clearTimeout(stream.timer);
    this.streams.clear();
    for (const link of this.links) link.close();
  }

  private createLink(host: string, port: number): ReconnectingSession {
    const { options } = this;
    return new ReconnectingSession({
      host, port, identity: options.identity, verifier: options.verifier, maxPowDifficulty: options.maxPowDifficulty,
      logger: options.logger,
      handshake: async (session) => {
        try {
          await this.handshake(session);
        } catch (error) {
          this.stats.connectFailures += 1;
          throw error;
        }
        this.stats.readySessions += 1;
        session.on('close', () => {
          this.stats.readySessions -= 1;
          if (!this.closed) this.stats.sessionsLost += 1;
          this.dropStreamsOf(session);
        });
      },
      onMessage: (session, message) => this.onMessage(session, message),
    });
  }

  private async handshake(session: CocoonSession): Promise<void> {
    const { options } = this;
    const versions = PROTOCOL_VERSIONS.worker;
    session.on('query', (query, reply) => reply.fail(new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', `simulated worker does not serve ${query._}`)));
    const connected = await session.query({
      _: 'worker.connectToProxy',
      params: {
        _: 'worker.params', flags: WorkerParamsFlag.is_test | WorkerParamsFlag.min_proto_version,
        worker_owner_address: options.ownerAddress, model: options.model, coefficient: 1000, is_test: true,
        proxy_cnt: options.proxies.length, max_active_requests: options.maxActiveRequests,
        min_proto_version: versions.min, max_proto_version: versions.max,
      },
    });
    expectAnswer(connected, 'worker.connectedToProxy');
    const params = connected.params as TlObject;
    checkChosenProtocolVersion(versions, params.proto_version as number | undefined, 'proxy');
    const compared = await session.query({ _: 'worker.compareBalanceWithProxy', tokens_committed_to_blockchain: 0n, tokens_committed_to_db: 0n, max_tokens: 0n });
    expectAnswer(compared, 'worker.compareBalanceWithProxyResult');
    const completed = await session.query({ _: 'worker.proxyHandshakeComplete', is_disabled: false });
    expectAnswer(completed, 'worker.proxyHandshakeCompleted');
  }

  private onMessage(session: CocoonSession, message: TlObject): void {
    if (isTlObject(message, 'proxy.runQueryEx')) {
      this.startStream(session, message.request_id as Buffer);
      return;
    }
    if (isTlObject(message, 'ext.cancelQuery')) {
      const key = (message.request_id as Buffer).toString('hex');
      const stream = this.streams.get(key);
      if (stream) {
        clearTimeout(stream.timer);
        this.streams.delete(key);
        this.stats.requestsCancelled += 1;
        this.sendFinal(stream, '', 'ext');
      }
      return;
    }
    // ext.grantCredit (answers stay far below the initial window) and payment messages need no action here.
  }

  private startStream(session: CocoonSession, requestId: Buffer): void {
    const stream: PacedStream = { session, requestId, next: 0, timer: undefined, startedAt: Date.now(), dueAt: performance.now() + this.options.pacing.firstChunkMs };
    this.streams.set(requestId.toString('hex'), stream);
    this.stats.requestsStarted += 1;
    stream.timer = setTimeout(() => this.emitChunk(stream), this.options.pacing.firstChunkMs);
  }

  private emitChunk(stream: PacedStream): void {
    const { pacing } = this.options;
    if (!stream.session.isOpen) return;
    const late = performance.now() - stream.dueAt;
    this.stats.pacingLateSumMs += late;
    if (late > this.stats.pacingLateMaxMs) this.stats.pacingLateMaxMs = late;
    const index = stream.next++;
    const chunk = pacedChunk(index, monotonicNanoseconds(), pacing.chunkBytes);
    this.stats.chunksSent += 1;
    const last = stream.next >= pacing.chunkCount;
    if (last) {
      this.streams.delete(stream.requestId.toString('hex'));
      this.stats.requestsCompleted += 1;
      this.sendFinal(stream, `${chunk}data: [DONE]\n\n`, index === 0 ? 'answer' : 'part');
      return;
    }
    if (index === 0) this.sendAnswer(stream, chunk, 0);
    else stream.session.send({ _: 'proxy.queryAnswerPartEx', request_id: stream.requestId, answer: Buffer.from(chunk), flags: 0 });
    stream.dueAt = performance.now() + pacing.chunkIntervalMs;
    stream.timer = setTimeout(() => this.emitChunk(stream), pacing.chunkIntervalMs);
  }

  private sendAnswer(stream: PacedStream, body: string, flags: number, finalInfo?: TlObject): void {
    const answer = encodeHttpResponse({
      httpVersion: 'HTTP/1.1', statusCode: 200, reason: 'OK', headers: [['Content-Type', 'text/event-stream']], payload: Buffer.from(body),
    });
    stream.session.send({ _: 'proxy.queryAnswerEx', request_id: stream.requestId, answer, flags, ...(finalInfo ? { final_info: finalInfo } : {}) });
  }

  /** The last message: a part (or the whole answer when it is the first) with `final_info`; `ext` after a cancel. */
  private sendFinal(stream: PacedStream, body: string, shape: 'answer' | 'part' | 'ext'): void {
    if (!stream.session.isOpen) return;
    const finalInfo = this.finalInfo(stream);
    if (shape === 'answer' || (shape === 'ext' && stream.next === 0)) {
      this.sendAnswer(stream, body, 1, finalInfo);
      return;
    }
    stream.session.send({ _: 'proxy.queryAnswerPartEx', request_id: stream.requestId, answer: Buffer.from(body), flags: 1, final_info: finalInfo });
  }

  private finalInfo(stream: PacedStream): TlObject {
    const completion = BigInt(stream.next);
    return {
      _: 'proxy.queryFinalInfo', flags: 2,
      tokens_used: {
        _: 'tokensUsed', prompt_tokens_used: 8n, cached_tokens_used: 0n, completion_tokens_used: completion, reasoning_tokens_used: 0n, total_tokens_used: 8n + completion,
      },
      worker_start_time: stream.startedAt / 1000,
      worker_end_time: Date.now() / 1000,
    };
  }

  private dropStreamsOf(session: CocoonSession): void {
    for (const [key, stream] of this.streams) {
      if (stream.session !== session) continue;
      clearTimeout(stream.timer);
      this.streams.delete(key);
    }
  }
}
