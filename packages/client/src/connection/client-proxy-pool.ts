/**
 * The client's sessions to several proxies (docs/protocol.md §1.2): which ready connection a request
 * goes out on (the one with the fewest requests in flight; a proxy that is reconnecting is skipped
 * meanwhile), and failover: a request that failed before any answer message reached the app — its
 * session was lost, or the proxy refused it with a retryable code (the error table's `retryable`) — is
 * sent again on a ready connection to another proxy, each proxy tried once, within what is left of the
 * request's own timeout. Once an answer arrived, an error goes to the app as it is (never retried: the
 * app already has bytes). With one proxy this is the reference's behaviour: no retry.
 */
import { CocoonError, ERROR_TABLE, cocoonCodeOfPeerError, isTlObject, peerErrorOfAnswer } from '@cocoon/protocol';
import type { SessionExtension, TlObject } from '@cocoon/protocol';
import type { ClientQueryMessage } from '../routing/provider-preferences.ts';
import type { AnswerListener, RunningQueryLink } from './client-proxy-connection.ts';

/** What the pool needs of a proxy connection (ClientProxyConnection). */
export interface PooledProxyConnection {
  readonly isReady: boolean;
  readonly protoVersion: number;
  /** `host:port` of the proxy; connections with the same address are the same proxy. */
  readonly address?: string;
  runQuery(query: ClientQueryMessage, listener: AnswerListener): RunningQueryLink;
  forget(requestId: Buffer): void;
  query(request: TlObject, timeoutMs: number): Promise<TlObject>;
}

/** One request's way to the proxies: the connection it starts on, and failover from there. */
export interface ClientProxyRoute {
  /** The protocol version of the connection the request starts on (§3.3). */
  readonly protoVersion: number;
  runQuery(query: ClientQueryMessage, listener: AnswerListener): RunningQueryLink;
  forget(requestId: Buffer): void;
  query(request: TlObject, timeoutMs: number): Promise<TlObject>;
}

export interface ClientProxyPoolOptions {
  now?: () => number;
  /** Told of each failover (for the log): the proxy given up, the one tried next, why. */
  onFailover?: (event: { from: string; to: string; reason: string }) => void;
}

/** Below this much time left of a request's timeout it is not sent again. */
const MIN_RETRY_SECONDS = 0.5;

const ERROR_ANSWERS = ['client.queryAnswerErrorEx', 'ext.clientQueryAnswerErrorCoded', 'client.queryAnswerError', 'client.queryAnswerPartError'] as const;

export class ClientProxyPool<Connection extends PooledProxyConnection = PooledProxyConnection> {
  private readonly inFlight = new Map<PooledProxyConnection, number>();
  private readonly now: () => number;

  constructor(readonly connections: readonly Connection[], private readonly options: ClientProxyPoolOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  /** Requests in flight on `connection` (sent, not yet answered to the end or failed). */
  inFlightOn(connection: PooledProxyConnection): number {
    return this.inFlight.get(connection) ?? 0;
  }

  /**
   * The ready connection with the fewest requests in flight, skipping those `excluded` and every
   * connection to the same proxy as one excluded; ties go to the earlier one. Undefined when none.
   */
  pick(excluded: readonly PooledProxyConnection[] = [], accept: (connection: Connection) => boolean = () => true): Connection | undefined {
    const excludedAddresses = new Set(excluded.map((connection) => connection.address).filter((address) => address !== undefined && address !== ''));
    let best: Connection | undefined;
    for (const connection of this.connections) {
      if (!connection.isReady || excluded.includes(connection) || !accept(connection)) continue;
      if (connection.address !== undefined && excludedAddresses.has(connection.address)) continue;
      if (best === undefined || this.inFlightOn(connection) < this.inFlightOn(best)) best = connection;
    }
    return best;
  }

  /** A route for one request, starting on the least loaded ready connection (CCN_ERR_ROUTE_NO_PROXY when none is ready). */
  route(): ClientProxyRoute {
    const first = this.pick();
    if (!first) throw new CocoonError('CCN_ERR_ROUTE_NO_PROXY', 'not connected to any proxy yet; try again shortly');
    return new FailoverRoute(this, first, this.now, this.options.onFailover);
  }

  /** @internal Counts a request on `connection`. */
  took(connection: PooledProxyConnection, delta: 1 | -1): void {
    const count = this.inFlightOn(connection) + delta;
    if (count <= 0) this.inFlight.delete(connection);
    else this.inFlight.set(connection, count);
  }
}

/** One request's attempts: the current connection, the ones tried, and the link the gateway holds. */
class FailoverRoute implements ClientProxyRoute, AnswerListener {
  private current: PooledProxyConnection;
  private readonly tried: PooledProxyConnection[] = [];
  private currentLink: RunningQueryLink | undefined;
  private listener: AnswerListener | undefined;
  private query0: ClientQueryMessage | undefined;
  private startedAt = 0;
  private answered = false;
  private settled = false;
  private counted = false;

  constructor(
    private readonly pool: ClientProxyPool,
    first: PooledProxyConnection,
    private readonly now: () => number,
    private readonly onFailover: ClientProxyPoolOptions['onFailover'],
  ) {
    this.current = first;
  }

  get protoVersion(): number {
    return this.current.protoVersion;
  }

  runQuery(query: ClientQueryMessage, listener: AnswerListener): RunningQueryLink {
    this.query0 = query;
    this.listener = listener;
    this.startedAt = this.now();
    this.send(this.current, query); // throws like the connection does when it is not ready (nothing sent)
    const extensions = (): ReadonlySet<SessionExtension> => this.currentLink?.extensions ?? new Set();
    return {
      get extensions(): ReadonlySet<SessionExtension> { return extensions(); },
      cancel: () => {
        this.settled = true; // the app left: no further attempt
        this.currentLink?.cancel();
      },
      grantCredit: (bytes) => this.currentLink?.grantCredit(bytes),
      holdReading: () => this.currentLink?.holdReading() ?? (() => undefined),
    };
  }

  forget(requestId: Buffer): void {
    this.settled = true;
    this.current.forget(requestId);
    this.release();
  }

  query(request: TlObject, timeoutMs: number): Promise<TlObject> {
    return this.current.query(request, timeoutMs);
  }

  onAnswerMessage(message: TlObject): void {
    if (!this.answered && isTlObject(message, ...ERROR_ANSWERS)) {
      const referencePeer = !(this.currentLink?.extensions.has('errorCodes') ?? false);
      const code = cocoonCodeOfPeerError(peerErrorOfAnswer(message), { referencePeer });
      if (ERROR_TABLE[code].retryable && this.retry(`${code}: ${String(message.error)}`)) return;
    } else {
      this.answered = true;
    }
    this.listener?.onAnswerMessage(message);
  }

  onConnectionLost(error: CocoonError): void {
    if (!this.answered && this.retry(`connection lost: ${error.message}`)) return;
    this.listener?.onConnectionLost(error);
  }

  private send(connection: PooledProxyConnection, query: ClientQueryMessage): void {
    this.currentLink = connection.runQuery(query, this);
    this.current = connection;
    this.tried.push(connection);
    this.pool.took(connection, 1);
    this.counted = true;
  }

  private release(): void {
    if (!this.counted) return;
    this.counted = false;
    this.pool.took(this.current, -1);
  }

  /** Sends the request again on another proxy; false when there is none, no time left, or the request ended. */
  private retry(reason: string): boolean {
    const query = this.query0;
    if (this.settled || !query) return false;
    const leftSeconds = query.timeout - (this.now() - this.startedAt) / 1000;
    if (leftSeconds < MIN_RETRY_SECONDS) return false;
    const from = this.current;
    const needsKey = ((query.flags ?? 0) & 2) !== 0; // public_key is carried from protocol 3 on
    for (;;) {
      const next = this.pool.pick(this.tried, (candidate) => !needsKey || candidate.protoVersion >= 3);
      if (!next) return false;
      from.forget(query.request_id);
      this.release();
      try {
        this.send(next, { ...query, timeout: leftSeconds });
      } catch {
        this.tried.push(next); // it went down meanwhile: the next one
        continue;
      }
      this.onFailover?.({ from: from.address ?? '', to: next.address ?? '', reason });
      return true;
    }
  }
}
