/**
 * An outbound COCOON session that stays up: dial (PoW + attested TLS), open the framed
 * session, run the caller's handshake, report ready; on any failure or disconnect, try
 * again after a delay. Used by the client and worker runners for their proxy links.
 */
import { CocoonError, CocoonSession } from '@cocoon/protocol';
import type { Logger, TlObject } from '@cocoon/protocol';
import { dialSecure } from './dial-secure.ts';
import type { SecureIdentitySource } from './tls-settings.ts';
import type { PeerAttestation, PeerVerifier } from '../verifier/peer-verifier.ts';

export type ReconnectingSessionState = 'connecting' | 'handshaking' | 'ready' | 'reconnecting' | 'closed';

export interface ReconnectingSessionOptions {
  host: string;
  port: number;
  /** A fixed identity or a RefreshingCertificate (each reconnect uses the current certificate). */
  identity: SecureIdentitySource;
  verifier: PeerVerifier;
  maxPowDifficulty: number;
  logger: Logger;
  /** Runs on every new session before it counts as ready; throw to drop it. */
  handshake(session: CocoonSession, peer: PeerAttestation): Promise<void>;
  /** Application messages once ready. */
  onMessage(session: CocoonSession, message: TlObject): void;
  /** After a ready session is lost (and before reconnecting). */
  onLost?(error: CocoonError): void;
  /** First retry delay (1 s); doubles on each failure up to maxReconnectDelayMs (10 s, the reference's period). */
  reconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  /** Offer our extensions (§19) when dialing (default true). */
  offerExtensions?: boolean;
}

export class ReconnectingSession {
  state: ReconnectingSessionState = 'connecting';
  private current: CocoonSession | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readyWaiters: Array<() => void> = [];
  private failures = 0;

  constructor(private readonly options: ReconnectingSessionOptions) {}

  get address(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  /** The ready session, if any. */
  get session(): CocoonSession | undefined {
    return this.state === 'ready' && this.current?.isOpen ? this.current : undefined;
  }

  start(): void {
    void this.connect();
  }

  /** Resolves once a handshake has completed. */
  whenReady(): Promise<void> {
    if (this.session) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  close(): void {
    this.state = 'closed';
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.current?.close();
  }

  private async connect(): Promise<void> {
    const { options } = this;
    try {
      const { socket, peer, extensions } = await dialSecure({
        host: options.host, port: options.port, identity: options.identity, verifier: options.verifier, maxPowDifficulty: options.maxPowDifficulty,
        ...(options.offerExtensions === undefined ? {} : { offerExtensions: options.offerExtensions }),
      });
      if (this.state === 'closed') {
        socket.destroy();
        return;
      }
      const session = new CocoonSession(socket, { role: 'dialer', extensions });
      this.current = session;
      session.on('message', (message) => {
        if (this.state === 'ready') options.onMessage(session, message);
        else session.close(new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', `${message._} before the handshake completed`));
      });
      session.on('close', (error) => this.onClose(session, error));
      await session.open();
      this.state = 'handshaking';
      await options.handshake(session, peer);
      if ((this.state as ReconnectingSessionState) === 'closed') return; // close() was called meanwhile
      if (this.current !== session || !session.isOpen) throw new CocoonError('CCN_ERR_SESSION_CLOSED', 'proxy connection closed during the handshake');
      this.state = 'ready';
      this.failures = 0;
      for (const resolve of this.readyWaiters.splice(0)) resolve();
    } catch (error) {
      this.failures += 1;
      options.logger.warn('proxy connection failed', { proxy: this.address, attempt: this.failures, error: error instanceof Error ? error.message : String(error) });
      this.current?.close();
      this.scheduleReconnect();
    }
  }

  private onClose(session: CocoonSession, error: CocoonError | undefined): void {
    if (session !== this.current) return;
    this.current = undefined;
    const wasReady = this.state === 'ready';
    if (wasReady) {
      const reason = error ?? new CocoonError('CCN_ERR_SESSION_CLOSED', 'proxy connection closed');
      this.options.logger.warn('proxy connection lost', { proxy: this.address, reason: reason.message });
      this.options.onLost?.(reason);
    }
    if (this.state !== 'closed') this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.state === 'closed' || this.reconnectTimer) return;
    this.state = 'reconnecting';
    const first = this.options.reconnectDelayMs ?? 1000;
    const delay = Math.min(first * 2 ** Math.max(0, this.failures - 1), this.options.maxReconnectDelayMs ?? 10_000);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.state = 'connecting';
      void this.connect();
    }, delay);
    this.reconnectTimer.unref();
  }
}

/** Throws a protocol violation unless `answer` is the expected constructor. */
export function expectAnswer(answer: TlObject, name: string): void {
  if (answer._ !== name) throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', `expected ${name}, got ${answer._}`);
}
