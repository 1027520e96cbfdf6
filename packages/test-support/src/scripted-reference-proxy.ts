/**
 * Test double of the reference proxy: a real PoW + TLS listener that answers our runners
 * with the golden frames captured from the reference implementation, patching only the ids
 * our side chose (query ids, request ids) so the answers correlate. A script can also send its
 * own queries (e.g. `worker.changeModel`) and await their answer or error.
 */
import type { TLSSocket } from 'node:tls';
import { FrameDecoder, decodeBoxed, decodeBoxedAs, encodeBoxed, encodeFrame, isTlObject } from '@cocoon/protocol';
import type { TlObject } from '@cocoon/protocol';
import { AnyPolicyVerifier, FakeTdxProvider, createAttestedCertificate, listenSecure } from '@cocoon/attestation';
import type { SecureServer } from '@cocoon/attestation';
import { loadGoldenStreams } from './reference-frames.ts';

export const goldenStreams = loadGoldenStreams();

/** The tcp.* packets that carry a boxed inner message in `data`. */
const CARRIERS = ['tcp.packet', 'tcp.query', 'tcp.queryAnswer'] as const;

/** The inner message of a golden tcp.packet / tcp.query / tcp.queryAnswer frame. */
export function goldenInner(frameHex: string): TlObject {
  return decodeBoxed(decodeBoxedAs(Buffer.from(frameHex, 'hex').subarray(8), ...CARRIERS).data);
}

export class ScriptedPeerConnection {
  private readonly decoder = new FrameDecoder();
  private readonly inbox: TlObject[] = [];
  private waiter: (() => void) | undefined;
  private seqno = 0;
  private ended = false;

  constructor(private readonly socket: TLSSocket) {
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.decoder.push(chunk)) this.inbox.push(decodeBoxed(frame.payload));
      this.waiter?.();
    });
    socket.on('close', () => {
      this.ended = true;
      this.waiter?.();
    });
  }

  /** Next tcp.* packet from our runner; answers pings on the way. Rejects once the connection closed with nothing left to read. */
  async next(): Promise<TlObject> {
    for (;;) {
      while (this.inbox.length === 0) {
        if (this.ended) throw new Error('the scripted connection closed');
        await new Promise<void>((resolve) => { this.waiter = resolve; });
      }
      const packet = this.inbox.shift()!;
      if (isTlObject(packet, 'tcp.ping')) {
        this.write({ _: 'tcp.pong', id: packet.id });
        continue;
      }
      return packet;
    }
  }

  /** Next query or message whose inner constructor is `name`, skipping other traffic. */
  async expect(name: string): Promise<{ packet: TlObject; inner: TlObject }> {
    for (;;) {
      const packet = await this.next();
      const inner = isTlObject(packet, ...CARRIERS) ? decodeBoxed(packet.data) : packet;
      if (inner._ === name) return { packet, inner };
    }
  }

  write(packet: TlObject): void {
    this.socket.write(encodeFrame(this.seqno++, encodeBoxed(packet)));
  }

  answer(queryId: bigint, answer: TlObject): void {
    this.write({ _: 'tcp.queryAnswer', id: queryId, data: encodeBoxed(answer) });
  }

  message(message: TlObject): void {
    this.write({ _: 'tcp.packet', data: encodeBoxed(message) });
  }

  /**
   * Sends `query` as a tcp.query and resolves with its answer (`{ answer }`) or the peer's tcp.queryError
   * (`{ error: { code, message } }`), skipping other traffic meanwhile.
   */
  async ask(query: TlObject, id = 0x5c_0000_0001n): Promise<{ answer?: TlObject; error?: { code: number; message: string } }> {
    this.write({ _: 'tcp.query', id, data: encodeBoxed(query) });
    for (;;) {
      const packet = await this.next();
      if (isTlObject(packet, 'tcp.queryAnswer') && packet.id === id) return { answer: decodeBoxed(packet.data) };
      if (isTlObject(packet, 'tcp.queryError') && packet.id === id) return { error: { code: packet.code, message: packet.message } };
    }
  }

  /** Resolves when our runner closed the connection (or it was destroyed). */
  closed(): Promise<void> {
    return this.ended ? Promise.resolve() : new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  close(): void {
    this.socket.destroy();
  }
}

/** `onConnection` may be async: a failing script destroys its connection (the test then sees the peer fail). */
export async function startScriptedProxy(onConnection: (peer: ScriptedPeerConnection) => void | Promise<void>): Promise<SecureServer> {
  const identity = await createAttestedCertificate({ provider: new FakeTdxProvider(), now: new Date() });
  return listenSecure({
    host: '127.0.0.1', port: 0, identity, powDifficulty: 4, verifier: new AnyPolicyVerifier(),
    acceptExtensions: false, // like the reference: no ALPN, so our peers negotiate no extension (§19)
    onConnection: (socket) => {
      Promise.resolve(onConnection(new ScriptedPeerConnection(socket))).catch(() => socket.destroy());
    },
  });
}
