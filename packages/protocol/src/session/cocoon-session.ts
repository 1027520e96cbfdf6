/**
 * One framed COCOON session over an already verified byte stream (TLS socket):
 * `[u32 size][u32 seqno][boxed tcp.*]` frames, the tcp.connect/connected opening,
 * ping/pong keep-alive with idle timeouts, query/answer correlation by random 64-bit ids,
 * and one-way application messages (tcp.packet). Application payloads are boxed TL objects.
 * A listener can start on a small frame limit (`maxFramePayloadBytes`) and raise it once its
 * peer has authorized (`setMaxFramePayload`); buffered bytes are released when the session closes.
 * Flow control: `writable` is false while the socket's write buffer is full ('drain' follows), and
 * `holdReading` pauses reading the socket (TCP backpressure to the peer) until every hold is released.
 * Extension messages (`ext.*`, §19) are sent and accepted only where the connection negotiated them.
 */
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { CocoonError, PeerReportedError, WireErrorCode, toCocoonError } from '../errors/error-table.ts';
import { randomIdBytes } from '../wire/random-id-pool.ts';
import { decodeBoxed, encodeBoxed } from '../tl/index.ts';
import type { TlObject } from '../tl/index.ts';
import { FrameDecoder, encodeBoxedFrame, encodePacketFrame } from '../framing/index.ts';
import { extensionsOfAlpn, isExtensionMessage } from './session-extensions.ts';
import type { SessionExtension } from './session-extensions.ts';

export type SessionRole = 'dialer' | 'listener';

export interface CocoonSessionOptions {
  role: SessionRole;
  /** Close the session after this much silence from the peer (dialer 20 s, listener 60 s). */
  idleTimeoutMs?: number;
  /** Dialer: send tcp.ping after this much silence (10 s). */
  pingAfterMs?: number;
  /** Default timeout of outgoing queries (30 s). */
  queryTimeoutMs?: number;
  /** Timeout of the tcp.connect/connected opening (10 s). */
  openTimeoutMs?: number;
  /** Largest frame payload accepted from the peer (default and maximum 16 MiB). */
  maxFramePayloadBytes?: number;
  /** Negotiated extensions (§19); default: from the socket's TLS ALPN protocol (`alpnProtocol`), none on a plain stream. */
  extensions?: ReadonlySet<SessionExtension>;
  random?: (bytes: number) => Buffer;
  now?: () => number;
}

export interface CocoonSessionEvents {
  message: [message: TlObject];
  query: [query: TlObject, reply: QueryReply];
  close: [error: CocoonError | undefined];
  /** The socket's write buffer emptied after `writable` turned false. */
  drain: [];
}

export interface QueryReply {
  answer(value: TlObject): void;
  fail(error: unknown): void;
}

interface PendingQuery {
  resolve(value: TlObject): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

export class CocoonSession extends EventEmitter<CocoonSessionEvents> {
  readonly role: SessionRole;
  readonly extensions: ReadonlySet<SessionExtension>;
  private readonly socket: Duplex;
  private readonly decoder: FrameDecoder;
  private readonly pending = new Map<bigint, PendingQuery>();
  private readonly random: (bytes: number) => Buffer;
  private readonly now: () => number;
  private readonly idleTimeoutMs: number;
  private readonly pingAfterMs: number;
  private readonly queryTimeoutMs: number;
  private readonly openTimeoutMs: number;
  private outgoingSeqno = 0;
  private lastReceivedAt: number;
  private lastPingAt = 0;
  private opened = false;
  private openWaiter: { resolve(): void; reject(error: Error): void } | undefined;
  private connectId: bigint | undefined;
  private livenessTimer: NodeJS.Timeout | undefined;
  /** The pending idle-timeout decision (made after the I/O poll, see checkLiveness). */
  private idleRecheck: NodeJS.Immediate | undefined;
  private corked = false;
  private closedWith: { error: CocoonError | undefined } | undefined;
  private readingHolds = 0;
  bytesReceived = 0;
  bytesSent = 0;

  constructor(socket: Duplex, options: CocoonSessionOptions) {
    super();
    this.socket = socket;
    this.role = options.role;
    this.random = options.random ?? randomIdBytes;
    this.now = options.now ?? Date.now;
    this.idleTimeoutMs = options.idleTimeoutMs ?? (options.role === 'dialer' ? 20_000 : 60_000);
    this.pingAfterMs = options.pingAfterMs ?? 10_000;
    this.queryTimeoutMs = options.queryTimeoutMs ?? 30_000;
    this.openTimeoutMs = options.openTimeoutMs ?? 10_000;
    this.decoder = new FrameDecoder({ maxFrameBytes: options.maxFramePayloadBytes });
    this.extensions = options.extensions ?? extensionsOfAlpn((socket as { alpnProtocol?: unknown }).alpnProtocol);
    this.lastReceivedAt = this.now();
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.close(new CocoonError('CCN_ERR_SESSION_CLOSED', `connection error: ${error.message}`)));
    socket.on('close', () => this.close(new CocoonError('CCN_ERR_SESSION_CLOSED', 'connection closed by peer')));
    socket.on('drain', () => {
      if (!this.closedWith) this.emit('drain');
    });
  }

  /** False while the socket's write buffer is over its high-water mark; 'drain' is emitted when it empties. */
  get writable(): boolean {
    return this.closedWith === undefined && !this.socket.writableNeedDrain;
  }

  /** Bytes written to the socket and not yet handed to the kernel. */
  get pendingWriteBytes(): number {
    return this.socket.writableLength;
  }

  /** Whether reading is paused by at least one hold. */
  get readingHeld(): boolean {
    return this.readingHolds > 0;
  }

  /**
   * Stops reading the socket until the returned release function is called (holds nest). The
   * peer's silence meanwhile is ours, so it does not count for the idle timeout, and the session
   * pings every `pingAfterMs` (whatever its role) so that the peer does not time it out either.
   */
  holdReading(): () => void {
    let released = false;
    if (this.readingHolds++ === 0) this.socket.pause();
    return () => {
      if (released) return;
      released = true;
      if (--this.readingHolds > 0 || this.closedWith) return;
      this.lastReceivedAt = this.now();
      this.socket.resume();
    };
  }

  get isOpen(): boolean {
    return this.opened && this.closedWith === undefined;
  }

  get isClosed(): boolean {
    return this.closedWith !== undefined;
  }

  /** Largest frame payload currently accepted from the peer. */
  get maxFramePayload(): number {
    return this.decoder.maxFramePayloadBytes;
  }

  /** Bytes of a partial incoming frame held by the decoder. */
  get bufferedBytes(): number {
    return this.decoder.bufferedBytes;
  }

  /** Changes the incoming frame payload limit for frames whose header has not arrived yet. */
  setMaxFramePayload(maxFramePayloadBytes: number): void {
    this.decoder.setMaxFrameBytes(maxFramePayloadBytes);
  }

  /** Runs the tcp.connect / tcp.connected opening; resolves when the session is ready. */
  open(): Promise<void> {
    if (this.closedWith) return Promise.reject(this.closedWith.error ?? new CocoonError('CCN_ERR_SESSION_CLOSED', 'session closed'));
    const tick = Math.max(50, Math.min(1000, Math.floor(Math.min(this.pingAfterMs, this.idleTimeoutMs) / 4)));
    this.livenessTimer = setInterval(() => this.checkLiveness(), tick);
    this.livenessTimer.unref();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.close(new CocoonError('CCN_ERR_SESSION_IDLE_TIMEOUT', 'session opening timed out'));
      }, this.openTimeoutMs);
      timer.unref();
      this.openWaiter = {
        resolve: () => { clearTimeout(timer); resolve(); },
        reject: (error) => { clearTimeout(timer); reject(error); },
      };
      if (this.role === 'dialer') {
        this.connectId = this.randomId();
        this.writePacket({ _: 'tcp.connect', id: this.connectId });
      }
    });
  }

  /** Sends a one-way application message (tcp.packet). */
  send(message: TlObject): void {
    if (!this.isOpen) throw new CocoonError('CCN_ERR_SESSION_CLOSED', 'session is not open');
    if (this.extensions.size === 0 && isExtensionMessage(message._)) {
      throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', `${message._} is an extension this session did not negotiate`);
    }
    this.writeFrame(encodePacketFrame(this.outgoingSeqno, message));
  }

  /** Sends an already boxed application message (tcp.packet). */
  sendEncoded(data: Buffer): void {
    if (!this.isOpen) throw new CocoonError('CCN_ERR_SESSION_CLOSED', 'session is not open');
    this.writePacket({ _: 'tcp.packet', data });
  }

  /** Sends an RPC query and resolves with the boxed answer object. */
  query(request: TlObject, timeoutMs = this.queryTimeoutMs): Promise<TlObject> {
    if (!this.isOpen) return Promise.reject(new CocoonError('CCN_ERR_SESSION_CLOSED', 'session is not open'));
    const id = this.randomId();
    return new Promise<TlObject>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new CocoonError('CCN_ERR_TIMEOUT', `query ${request._} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.writePacket({ _: 'tcp.query', id, data: encodeBoxed(request) });
    });
  }

  close(error?: CocoonError): void {
    if (this.closedWith) return;
    this.closedWith = { error };
    if (this.livenessTimer) clearInterval(this.livenessTimer);
    if (this.idleRecheck) clearImmediate(this.idleRecheck);
    const failure = error ?? new CocoonError('CCN_ERR_SESSION_CLOSED', 'session closed');
    for (const query of this.pending.values()) {
      clearTimeout(query.timer);
      query.reject(failure);
    }
    this.pending.clear();
    this.openWaiter?.reject(failure);
    this.openWaiter = undefined;
    this.decoder.release();
    this.socket.destroy();
    this.emit('close', error);
  }

  private randomId(): bigint {
    return this.random(8).readBigInt64LE(0);
  }

  private writePacket(packet: TlObject): void {
    if (this.closedWith) return;
    this.writeFrame(encodeBoxedFrame(this.outgoingSeqno, packet));
  }

  /** Writes a frame encoded with the current outgoing seqno. */
  private writeFrame(frame: Buffer): void {
    this.outgoingSeqno = (this.outgoingSeqno + 1) >>> 0;
    this.bytesSent += frame.length;
    // Coalesce every frame written while handling one I/O event (including the promise
    // chains it starts) into one socket write: uncork in the check phase of this loop turn.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      setImmediate(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(frame);
  }

  private onData(chunk: Buffer): void {
    if (this.closedWith) return;
    this.bytesReceived += chunk.length;
    this.lastReceivedAt = this.now();
    let frames;
    try {
      frames = this.decoder.push(chunk);
    } catch (error) {
      this.close(toCocoonError(error, 'CCN_ERR_PROTOCOL_VIOLATION'));
      return;
    }
    for (const frame of frames) {
      if (this.closedWith) return;
      try {
        this.onPacket(decodeBoxed(frame.payload));
      } catch (error) {
        this.close(toCocoonError(error, 'CCN_ERR_PROTOCOL_VIOLATION'));
        return;
      }
    }
  }

  private onPacket(packet: TlObject): void {
    switch (packet._) {
      case 'tcp.connect':
        if (this.role !== 'listener' || this.opened) throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', 'unexpected tcp.connect');
        this.writePacket({ _: 'tcp.connected', id: packet.id as bigint });
        this.markOpen();
        return;
      case 'tcp.connected':
        if (this.role !== 'dialer' || this.opened || packet.id !== this.connectId) {
          throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', 'unexpected tcp.connected');
        }
        this.markOpen();
        return;
      case 'tcp.ping':
        this.writePacket({ _: 'tcp.pong', id: packet.id as bigint });
        return;
      case 'tcp.pong':
        return;
    }
    if (!this.opened) throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', `${packet._} before tcp.connect`);
    switch (packet._) {
      case 'tcp.packet': {
        const message = decodeBoxed(packet.data as Buffer);
        if (this.extensions.size === 0 && isExtensionMessage(message._)) {
          throw new CocoonError('CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR', `${message._} on a session without extensions`);
        }
        this.emit('message', message);
        return;
      }
      case 'tcp.query':
        this.onQuery(packet.id as bigint, packet.data as Buffer);
        return;
      case 'tcp.queryAnswer':
        this.settle(packet.id as bigint, (query) => query.resolve(decodeBoxed(packet.data as Buffer)));
        return;
      case 'tcp.queryError':
        this.settle(packet.id as bigint, (query) => query.reject(new PeerReportedError(packet.code as number, packet.message as string)));
        return;
      default:
        throw new CocoonError('CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR', `unexpected session packet ${packet._}`);
    }
  }

  private markOpen(): void {
    this.opened = true;
    this.openWaiter?.resolve();
    this.openWaiter = undefined;
  }

  private settle(id: bigint, action: (query: PendingQuery) => void): void {
    const query = this.pending.get(id);
    if (!query) return; // late answer after a timeout: ignored
    this.pending.delete(id);
    clearTimeout(query.timer);
    action(query);
  }

  private onQuery(id: bigint, data: Buffer): void {
    let settled = false;
    const reply: QueryReply = {
      answer: (value) => {
        if (settled || this.closedWith) return;
        settled = true;
        this.writePacket({ _: 'tcp.queryAnswer', id, data: encodeBoxed(value) });
      },
      fail: (error) => {
        if (settled || this.closedWith) return;
        settled = true;
        const { code, message } = wireErrorOf(error);
        this.writePacket({ _: 'tcp.queryError', id, code, message });
      },
    };
    let query: TlObject;
    try {
      query = decodeBoxed(data);
    } catch (error) {
      reply.fail(error);
      return;
    }
    if (this.listenerCount('query') === 0) {
      reply.fail(new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', `query ${query._} not supported`));
      return;
    }
    this.emit('query', query, reply);
  }

  private checkLiveness(): void {
    if (this.closedWith) return;
    if (this.readingHolds > 0) {
      if (this.opened && this.now() - this.lastPingAt >= this.pingAfterMs) {
        this.lastPingAt = this.now();
        this.writePacket({ _: 'tcp.ping', id: this.randomId() });
      }
      return;
    }
    const silence = this.now() - this.lastReceivedAt;
    if (silence >= this.idleTimeoutMs) {
      // Timers run before the loop polls sockets: if this process itself was stalled (CPU starved,
      // a long GC), the peer's data may be waiting unread. Decide after this loop turn's I/O poll.
      if (!this.idleRecheck) {
        this.idleRecheck = setImmediate(() => {
          this.idleRecheck = undefined;
          if (this.closedWith || this.readingHolds > 0) return;
          const stillSilent = this.now() - this.lastReceivedAt;
          if (stillSilent >= this.idleTimeoutMs) this.close(new CocoonError('CCN_ERR_SESSION_IDLE_TIMEOUT', `no data from peer for ${stillSilent} ms`));
        });
      }
      return;
    }
    if (this.role === 'dialer' && this.opened && silence >= this.pingAfterMs && this.now() - this.lastPingAt >= this.pingAfterMs) {
      this.lastPingAt = this.now();
      this.writePacket({ _: 'tcp.ping', id: this.randomId() });
    }
  }
}

/** The wire code and message to report for an error (CocoonError, PeerReportedError, or anything else). */
export function wireErrorOf(error: unknown): { code: number; message: string } {
  if (error instanceof PeerReportedError) return { code: error.wireCode, message: error.message };
  if (error instanceof CocoonError) return { code: error.wireCode, message: error.message };
  return { code: WireErrorCode.failure, message: 'internal error' };
}
