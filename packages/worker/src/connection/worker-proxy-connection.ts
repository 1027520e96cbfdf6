/**
 * The worker's outbound link to one proxy (§3.2): dial (PoW + attested TLS), session,
 * handshake (connectToProxy → compareBalance → proxyHandshakeComplete), serving
 * `proxy.runQueryEx`, tracking payment totals, availability messages, and reconnecting.
 */
import { CocoonError, CocoonSession, PROTOCOL_VERSION_MAX, PROTOCOL_VERSION_MIN } from '@cocoon/protocol';
import type { Logger, TlObject } from '@cocoon/protocol';
import { dialSecure } from '@cocoon/attestation';
import type { PeerVerifier, SecureEndpointIdentity } from '@cocoon/attestation';
import type { WorkerQueryHandler } from '../serving/worker-query-handler.ts';

export interface WorkerProxyConnectionOptions {
  host: string;
  port: number;
  identity: SecureEndpointIdentity;
  verifier: PeerVerifier;
  maxPowDifficulty: number;
  ownerAddress: string;
  model: string;
  coefficient: number;
  maxActiveRequests: number;
  proxyConnections: number;
  isTest: boolean;
  handler: WorkerQueryHandler;
  isEnabled: () => boolean;
  logger: Logger;
  reconnectDelayMs?: number;
}

export type WorkerProxyConnectionState = 'connecting' | 'handshaking' | 'ready' | 'reconnecting' | 'closed';

export class WorkerProxyConnection {
  state: WorkerProxyConnectionState = 'connecting';
  proxyContractAddress = '';
  workerContractAddress = '';
  earnedTokensCommittedToDb = 0n;
  earnedTokensMax = 0n;
  private session: CocoonSession | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readyWaiters: Array<() => void> = [];

  constructor(private readonly options: WorkerProxyConnectionOptions) {}

  get address(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  start(): void {
    void this.connect();
  }

  /** Resolves once the first handshake has completed. */
  whenReady(): Promise<void> {
    if (this.state === 'ready') return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Tells the proxy whether this worker takes requests (`worker.enabledDisabled`). */
  announceAvailability(enabled: boolean): void {
    if (this.state === 'ready') this.session?.send({ _: 'worker.enabledDisabled', disabled: enabled ? 0 : 1 });
  }

  close(): void {
    this.state = 'closed';
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.session?.close();
  }

  private async connect(): Promise<void> {
    const { options } = this;
    try {
      const { socket } = await dialSecure({
        host: options.host, port: options.port, identity: options.identity, verifier: options.verifier, maxPowDifficulty: options.maxPowDifficulty,
      });
      if (this.state === 'closed') {
        socket.destroy();
        return;
      }
      const session = new CocoonSession(socket, { role: 'dialer' });
      this.session = session;
      session.on('message', (message) => this.onMessage(session, message));
      session.on('close', (error) => this.onClose(error));
      await session.open();
      this.state = 'handshaking';
      await this.handshake(session);
      this.state = 'ready';
      options.logger.info('connected to proxy', { proxy: this.address, worker_contract: this.workerContractAddress });
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
      _: 'worker.connectToProxy',
      params: {
        _: 'worker.params', flags: 3,
        worker_owner_address: options.ownerAddress, model: options.model, coefficient: options.coefficient,
        is_test: options.isTest, proxy_cnt: options.proxyConnections, max_active_requests: options.maxActiveRequests,
        min_proto_version: PROTOCOL_VERSION_MIN, max_proto_version: PROTOCOL_VERSION_MAX,
      },
    });
    expectAnswer(connected, 'worker.connectedToProxy');
    const params = connected.params as TlObject;
    if ((params.is_test as boolean) !== options.isTest) throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', 'proxy test mode differs from ours');
    this.proxyContractAddress = params.proxy_sc_address as string;
    this.workerContractAddress = connected.worker_sc_address as string;
    const compared = await session.query({
      _: 'worker.compareBalanceWithProxy',
      tokens_committed_to_blockchain: 0n,
      tokens_committed_to_db: this.earnedTokensCommittedToDb,
      max_tokens: this.earnedTokensMax,
    });
    expectAnswer(compared, 'worker.compareBalanceWithProxyResult');
    if ((compared.tokens_committed_to_db as bigint) < this.earnedTokensCommittedToDb) {
      options.logger.warn('proxy knows fewer committed tokens than this worker (proxy state lost?)', { proxy: this.address });
    }
    this.observeTotals(compared.tokens_committed_to_db as bigint, compared.max_tokens as bigint);
    const completed = await session.query({ _: 'worker.proxyHandshakeComplete', is_disabled: !options.isEnabled() });
    expectAnswer(completed, 'worker.proxyHandshakeCompleted');
  }

  private onMessage(session: CocoonSession, message: TlObject): void {
    if (this.state !== 'ready') {
      session.close(new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', `${message._} before handshake completed`));
      return;
    }
    switch (message._) {
      case 'proxy.runQueryEx':
        void this.options.handler.serve(message, (answer) => {
          if (session.isOpen) session.send(answer);
        });
        return;
      case 'proxy.workerRequestPayment':
        this.observeTotals(message.db_tokens as bigint, message.max_tokens as bigint);
        return;
      default:
        session.close(new CocoonError('CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR', `unexpected proxy message ${message._}`));
    }
  }

  private observeTotals(dbTokens: bigint, maxTokens: bigint): void {
    if (dbTokens > this.earnedTokensCommittedToDb) this.earnedTokensCommittedToDb = dbTokens;
    if (maxTokens > this.earnedTokensMax) this.earnedTokensMax = maxTokens;
  }

  private onClose(error: CocoonError | undefined): void {
    this.session = undefined;
    if (this.state === 'closed') return;
    if (this.state === 'ready') this.options.logger.warn('proxy connection lost', { proxy: this.address, reason: error?.message });
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
