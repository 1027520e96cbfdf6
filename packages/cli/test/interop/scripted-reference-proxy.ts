/**
 * Test double of the reference proxy: a real PoW + TLS listener that answers our runners
 * with the golden frames captured from the reference implementation, patching only the ids
 * our side chose (query ids, request ids) so the answers correlate.
 */
import type { TLSSocket } from 'node:tls';
import { FrameDecoder, decodeBoxed, encodeBoxed, encodeFrame } from '@cocoon/protocol';
import type { TlObject } from '@cocoon/protocol';
import { FakeTdxProvider, createAttestedCertificate, createPeerVerifier, listenSecure } from '@cocoon/attestation';
import type { SecureServer } from '@cocoon/attestation';
import { loadGoldenStreams } from '../../../protocol/test/tl/reference-data.ts';

export const goldenStreams = loadGoldenStreams();

/** The inner message of a golden tcp.packet / tcp.query / tcp.queryAnswer frame. */
export function goldenInner(frameHex: string): TlObject {
  return decodeBoxed(decodeBoxed(Buffer.from(frameHex, 'hex').subarray(8)).data as Buffer);
}

export class ScriptedPeerConnection {
  private readonly decoder = new FrameDecoder();
  private readonly inbox: TlObject[] = [];
  private waiter: (() => void) | undefined;
  private seqno = 0;

  constructor(private readonly socket: TLSSocket) {
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.decoder.push(chunk)) this.inbox.push(decodeBoxed(frame.payload));
      this.waiter?.();
    });
  }

  /** Next tcp.* packet from our runner; answers pings on the way. */
  async next(): Promise<TlObject> {
    for (;;) {
      while (this.inbox.length === 0) await new Promise<void>((resolve) => { this.waiter = resolve; });
      const packet = this.inbox.shift()!;
      if (packet._ === 'tcp.ping') {
        this.write({ _: 'tcp.pong', id: packet.id as bigint });
        continue;
      }
      return packet;
    }
  }

  /** Next query or message whose inner constructor is `name`, skipping other traffic. */
  async expect(name: string): Promise<{ packet: TlObject; inner: TlObject }> {
    for (;;) {
      const packet = await this.next();
      const inner = packet.data ? decodeBoxed(packet.data as Buffer) : packet;
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

  close(): void {
    this.socket.destroy();
  }
}

export async function startScriptedProxy(onConnection: (peer: ScriptedPeerConnection) => void): Promise<SecureServer> {
  const identity = await createAttestedCertificate({ provider: new FakeTdxProvider(), now: new Date() });
  return listenSecure({
    host: '127.0.0.1', port: 0, identity, powDifficulty: 4, verifier: createPeerVerifier('any'),
    onConnection: (socket) => onConnection(new ScriptedPeerConnection(socket)),
  });
}
