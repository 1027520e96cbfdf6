/**
 * The client's outbound link to a proxy (§3.1): dial (PoW + TLS, proxy attestation
 * verified before any byte), session, `client.connectToProxy` with checks of the proxy's
 * params, short authorization with the secret, answer routing by request id, payment
 * status tracking, and reconnection.
 */
import { createHash } from 'node:crypto';
import { CocoonError, CocoonSession, PROTOCOL_VERSION_MAX, PROTOCOL_VERSION_MIN } from '@cocoon/protocol';
import type { Logger, TlObject } from '@cocoon/protocol';
import { dialSecure } from '@cocoon/attestation';
import type { PeerVerifier, SecureEndpointIdentity } from '@cocoon/attestation';

export interface ClientProxyConnectionOptions {
  host: string;
  port: number;
  identity: SecureEndpointIdentity;
  verifier: PeerVerifier;
  maxPowDifficulty: number;
  ownerAddress: string;
  secretString: string;
  isTest: boolean;
  logger: Logger;
  reconnectDelayMs?: number;
  paymentStatusIntervalMs?: number;
}

/** Receives the answer messages of one request. */
export interface AnswerListener {
  onAnswerMessage(message: TlObject): void;
  onConnectionLost(error: CocoonError): void;
}

export type ClientProxyConnectionState = 'connecting' | 'handshaking' | 'ready' | 'reconnecting' | 'closed';

export class ClientProxyConnection {
  state: ClientProxyConnectionState = 'connecting';
  proxyContractAddress = '';
  clientContractAddress = '';
  tokensUsedProxyMax = 0n;
  tokensUsedProxyCommittedToDb = 0n;
  private session: CocoonSession | undefined;
  private readonly listeners = new Map<string, AnswerListener>();
  private reconnectTimer: NodeJS.Timeout | undefined;
  private paymentTimer: NodeJS.Timeout | undefined;
  private readyWaiters: Array<() => void> = [];

  constructor(private readonly options: ClientProxyConnectionOptions) {}

  get address(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  get isReady(): boolean {
    return this.state === 'ready' && this.session?.isOpen === true;
  }

  start(): void {
    void this.connect();
  }

  whenReady(): Promise<void> {
    if (this.isReady) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Sends `client.runQueryEx`; answers go to the listener until `forget`. */
  runQuery(query: TlObject, listener: AnswerListener): void {
    if (!this.isReady || !this.session) throw new CocoonError('CCN_ERR_ROUTE_NO_PROXY', 'not connected to the proxy');
    this.listeners.set((query.request_id as Buffer).toString('hex'), listener);
    this.session.send(query);
  }

  forget(requestId: Buffer): void {
    this.listeners.delete(requestId.toString('hex'));
  }

  query(request: TlObject, timeoutMs: number): Promise<TlObject> {
    if (!this.isReady || !this.session) return Promise.reject(new CocoonError('CCN_ERR_ROUTE_NO_PROXY', 'not connected to the proxy'));
    return this.session.query(request, timeoutMs);
  }

  close(): void {
    this.state = 'closed';
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.paymentTimer) clearInterval(this.paymentTimer);
    this.session?.close();
  }

  private async connect(): Promise<void> {
    const { options } = this;
    try {
      const { socket, peer } = await dialSecure({
        host: options.host, port: options.port, identity: options.identity, verifier: options.verifier, maxPowDifficulty: options.maxPowDifficulty,
      });
      if (this.state === 'closed') {
        socket.destroy();
        return;
      }
      const session = new CocoonSession(socket, { role: 'dialer' });
      this.session = session;
      session.on('message', (message) => this.onMessage(message));
      session.on('close', (error) => this.onClose(error));
      await session.open();
      this.state = 'handshaking';
      await this.handshake(session);
      this.state = 'ready';
      options.logger.info('connected to proxy', { proxy: this.address, proxy_image_hash: peer.imageHash.toString('hex'), policy: peer.policy });
      this.paymentTimer = setInterval(() => void this.refreshPaymentStatus(), options.paymentStatusIntervalMs ?? 15_000);
      this.paymentTimer.unref();
      for (const resolve of this.readyWaiters.splice(0)) resolve();
    } catch (error) {
      options.logger.warn('proxy connection failed', { proxy: this.address, error: error instanceof Error ? error.message : String(error) });
      this.session?.close();
      this.scheduleReconnect();
    }
  }

  private async handshake(session: CocoonSession): Promise<void> {
    const { options } = this;
    const connected = await session.query({
      _: 'client.connectToProxy',
      params: {
        _: 'client.params', flags: 3, client_owner_address: options.ownerAddress, is_test: options.isTest,
        min_proto_version: PROTOCOL_VERSION_MIN, max_proto_version: PROTOCOL_VERSION_MAX,
      },
      min_config_version: 0,
    });
    expectAnswer(connected, 'client.connectedToProxy');
    const params = connected.params as TlObject;
    if (((params.flags as number) & 3) === 0) throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', 'proxy params lack flags');
    if ((params.is_test as boolean) !== options.isTest) throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', 'proxy test mode differs from ours');
    this.proxyContractAddress = params.proxy_sc_address as string;
    this.clientContractAddress = connected.client_sc_address as string;
    const auth = connected.auth as TlObject;
    const ownHash = createHash('sha256').update(options.secretString, 'utf8').digest();
    if (auth._ !== 'client.proxyConnectionAuthShort' || !ownHash.equals(auth.secret_hash as Buffer)) {
      throw new CocoonError('CCN_ERR_AUTH_FAILED', 'proxy does not know this client with this secret (long authorization needs the TON chain)');
    }
    const result = await session.query({ _: 'client.authorizeWithProxyShort', data: Buffer.from(options.secretString, 'utf8') });
    if (result._ === 'client.authorizationWithProxyFailed') {
      throw new CocoonError('CCN_ERR_AUTH_FAILED', `proxy refused authorization: ${String(result.error)}`);
    }
    expectAnswer(result, 'client.authorizationWithProxySuccess');
    this.observeTotals(result.tokens_committed_to_db as bigint, result.max_tokens as bigint);
  }

  private async refreshPaymentStatus(): Promise<void> {
    try {
      const status = await this.query({ _: 'client.updatePaymentStatus' }, 60_000);
      this.observeTotals(status.db_tokens as bigint, status.max_tokens as bigint);
    } catch {
      // the session handles liveness; a failed status query is retried next period
    }
  }

  private onMessage(message: TlObject): void {
    switch (message._) {
      case 'client.queryAnswerEx':
      case 'client.queryAnswerPartEx':
      case 'client.queryAnswerErrorEx':
      case 'client.queryAnswer':
      case 'client.queryAnswerPart':
      case 'client.queryAnswerError':
      case 'client.queryAnswerPartError':
        this.listeners.get((message.request_id as Buffer).toString('hex'))?.onAnswerMessage(message);
        return;
      case 'proxy.clientRequestPayment':
        this.observeTotals(message.db_tokens as bigint, message.max_tokens as bigint);
        return;
      default:
        this.options.logger.warn('ignoring unexpected proxy message', { type: message._ });
    }
  }

  private observeTotals(dbTokens: bigint, maxTokens: bigint): void {
    if (dbTokens > this.tokensUsedProxyCommittedToDb) this.tokensUsedProxyCommittedToDb = dbTokens;
    if (maxTokens > this.tokensUsedProxyMax) this.tokensUsedProxyMax = maxTokens;
  }

  private onClose(error: CocoonError | undefined): void {
    this.session = undefined;
    if (this.paymentTimer) clearInterval(this.paymentTimer);
    const reason = error ?? new CocoonError('CCN_ERR_SESSION_CLOSED', 'proxy connection closed');
    for (const listener of [...this.listeners.values()]) listener.onConnectionLost(reason);
    this.listeners.clear();
    if (this.state === 'closed') return;
    if (this.state === 'ready') this.options.logger.warn('proxy connection lost', { proxy: this.address, reason: reason.message });
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.state === 'closed' || this.reconnectTimer) return;
    this.state = 'reconnecting';
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.state = 'connecting';
      void this.connect();
    }, this.options.reconnectDelayMs ?? 1000);
    this.reconnectTimer.unref();
  }
}

function expectAnswer(answer: TlObject, name: string): void {
  if (answer._ !== name) throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', `expected ${name}, got ${answer._}`);
}
