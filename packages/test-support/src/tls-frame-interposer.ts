/**
 * Test-only TLS frame interposer: a man in the middle that plays the proxy towards the runners that
 * dial it (client runner, worker) and dials the real proxy with its own identity, so every session
 * frame the proxy writes or reads passes it IN PLAINTEXT. It decodes the §2.4 frames of each
 * direction, shows each one to the test (`frames`, `onFrame`) and forwards what the test decides:
 * the frame as is, a transformed payload, nothing (dropped), several (replayed, injected) or held
 * back to be sent later (`inject`, for reordering). Seqnos are renumbered per direction, so the
 * session layer on either side sees a clean stream: only end-to-end checks can notice tampering.
 * The dialers must accept it: policy 'any' (or fake_tdx, whose fake quotes it can make) towards it.
 */
import type { TLSSocket } from 'node:tls';
import { FrameDecoder, decodeBoxed, encodeFrame, isTlObject } from '@cocoon/protocol';
import type { TlObject } from '@cocoon/protocol';
import { AnyPolicyVerifier, FakeTdxProvider, createAttestedCertificate, dialSecure, listenSecure } from '@cocoon/attestation';
import type { PeerVerifier, SecureEndpointIdentity, SecureServer } from '@cocoon/attestation';

/** 'to-proxy': written by the dialer (client runner, worker) for the proxy; 'from-proxy': written by the proxy. */
export type InterposedDirection = 'to-proxy' | 'from-proxy';

export interface InterposedFrame {
  /** Index of the relayed connection (0 for the first dialer). */
  readonly connection: number;
  readonly direction: InterposedDirection;
  /** The seqno the frame carried on the wire. */
  readonly seqno: number;
  /** The frame's plaintext payload: a boxed tcp.* packet. */
  readonly payload: Buffer;
}

/** What to forward for a frame: undefined = unchanged, [] = drop it, [a, b] = these payloads in this order. */
export type FrameDecision = readonly Buffer[] | undefined;
export type FrameHandler = (frame: InterposedFrame) => FrameDecision | Promise<FrameDecision>;

export interface TlsFrameInterposerOptions {
  /** The real proxy port (its client port or its worker port). */
  upstream: { host: string; port: number };
  /** Presented to the dialers (default: a fresh fake_tdx certificate). */
  identity?: SecureEndpointIdentity;
  /** Presented to the real proxy (default: a fresh fake_tdx certificate). */
  upstreamIdentity?: SecureEndpointIdentity;
  /** How the dialers are verified (default any). */
  dialerVerifier?: PeerVerifier;
  /** How the real proxy is verified (default any). */
  upstreamVerifier?: PeerVerifier;
  /** PoW asked of the dialers (default 1). */
  powDifficulty?: number;
  onFrame?: FrameHandler;
}

interface RelayedConnection {
  readonly index: number;
  readonly sides: Record<InterposedDirection, { socket: TLSSocket; seqno: number }>;
}

const fakeTdxIdentity = (): Promise<SecureEndpointIdentity> => createAttestedCertificate({ provider: new FakeTdxProvider(), now: new Date() });

export class TlsFrameInterposer {
  /** Every frame received, both directions, in arrival order (before any decision). */
  readonly frames: InterposedFrame[] = [];
  /** Errors of relayed connections (decode failures, dial failures), for diagnostics. */
  readonly errors: Error[] = [];
  private readonly connections: RelayedConnection[] = [];
  private handler: FrameHandler | undefined;

  private constructor(private readonly server: SecureServer, handler: FrameHandler | undefined) {
    this.handler = handler;
  }

  static async start(options: TlsFrameInterposerOptions): Promise<TlsFrameInterposer> {
    const identity = options.identity ?? (await fakeTdxIdentity());
    const upstreamIdentity = options.upstreamIdentity ?? (await fakeTdxIdentity());
    const started: { interposer?: TlsFrameInterposer } = {};
    const server = await listenSecure({
      host: '127.0.0.1', port: 0, identity, verifier: options.dialerVerifier ?? new AnyPolicyVerifier(), powDifficulty: options.powDifficulty ?? 1,
      onConnection: (socket) => {
        socket.on('error', () => undefined);
        socket.pause();
        void started.interposer!.relay(socket, options, upstreamIdentity);
      },
    });
    started.interposer = new TlsFrameInterposer(server, options.onFrame);
    return started.interposer;
  }

  get port(): number {
    return this.server.port;
  }

  /** `127.0.0.1:<port>`, what a runner's proxy_address takes. */
  get address(): string {
    return `127.0.0.1:${this.server.port}`;
  }

  /** Replaces the frame handler (undefined: forward everything unchanged). */
  setOnFrame(handler: FrameHandler | undefined): void {
    this.handler = handler;
  }

  /** Number of relayed connections so far. */
  get connectionCount(): number {
    return this.connections.length;
  }

  /** Sends a payload as the next frame of one direction of a connection (a held-back or forged frame). */
  inject(connection: number, direction: InterposedDirection, payload: Buffer): void {
    const relayed = this.connections[connection];
    if (!relayed) throw new Error(`no relayed connection ${connection}`);
    this.send(relayed, direction, payload);
  }

  async close(): Promise<void> {
    for (const connection of this.connections) for (const side of Object.values(connection.sides)) side.socket.destroy();
    await this.server.close();
  }

  private async relay(downstream: TLSSocket, options: TlsFrameInterposerOptions, upstreamIdentity: SecureEndpointIdentity): Promise<void> {
    let upstream: TLSSocket;
    try {
      ({ socket: upstream } = await dialSecure({
        host: options.upstream.host, port: options.upstream.port, identity: upstreamIdentity,
        verifier: options.upstreamVerifier ?? new AnyPolicyVerifier(), timeoutMs: 10_000,
      }));
    } catch (error) {
      this.errors.push(error as Error);
      downstream.destroy();
      return;
    }
    upstream.on('error', () => undefined);
    // 'to-proxy' frames are written to the upstream socket, 'from-proxy' frames to the downstream one.
    const connection: RelayedConnection = { index: this.connections.length, sides: { 'to-proxy': { socket: upstream, seqno: 0 }, 'from-proxy': { socket: downstream, seqno: 0 } } };
    this.connections.push(connection);
    this.pipe(connection, downstream, 'to-proxy');
    this.pipe(connection, upstream, 'from-proxy');
    downstream.once('close', () => upstream.destroy());
    upstream.once('close', () => downstream.destroy());
    downstream.resume();
  }

  private pipe(connection: RelayedConnection, from: TLSSocket, direction: InterposedDirection): void {
    const decoder = new FrameDecoder();
    let chain = Promise.resolve();
    from.on('data', (chunk: Buffer) => {
      let decoded;
      try {
        decoded = decoder.push(chunk);
      } catch (error) {
        this.errors.push(error as Error);
        from.destroy();
        return;
      }
      for (const { seqno, payload } of decoded) {
        const frame: InterposedFrame = { connection: connection.index, direction, seqno, payload: Buffer.from(payload) };
        this.frames.push(frame);
        chain = chain.then(async () => {
          const decision = this.handler ? await this.handler(frame) : undefined;
          for (const out of decision ?? [frame.payload]) this.send(connection, direction, out);
        }).catch((error: unknown) => {
          this.errors.push(error as Error);
          from.destroy();
        });
      }
    });
  }

  private send(connection: RelayedConnection, direction: InterposedDirection, payload: Buffer): void {
    const side = connection.sides[direction];
    if (side.socket.destroyed) return;
    side.socket.write(encodeFrame(side.seqno, payload));
    side.seqno = (side.seqno + 1) >>> 0;
  }
}

/** The tcp.* packet of a frame payload and, for tcp.packet / tcp.query / tcp.queryAnswer, its boxed inner message. */
export interface DecodedInterposedFrame {
  packet: TlObject;
  inner: TlObject | undefined;
}

export function decodeInterposedFrame(payload: Buffer): DecodedInterposedFrame {
  const packet = decodeBoxed(payload);
  const carrier = isTlObject(packet, 'tcp.packet') || isTlObject(packet, 'tcp.query') || isTlObject(packet, 'tcp.queryAnswer');
  if (!carrier) return { packet, inner: undefined };
  try {
    return { packet, inner: decodeBoxed((packet as { data: Buffer }).data) };
  } catch {
    return { packet, inner: undefined }; // a query's data is not always a known boxed object
  }
}
