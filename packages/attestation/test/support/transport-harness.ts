// Test harness for the secure transport: a recording server and a raw (hand-driven) PoW client.
import net from 'node:net';
import { once } from 'node:events';
import type tls from 'node:tls';
import { type CocoonError, POW_CHALLENGE_LENGTH, decodePowChallenge, type PowChallenge } from '@cocoon/protocol';
import { listenSecure, type ListenSecureOptions, type PeerAttestation, type SecureServer } from '../../src/index.ts';
import { VERIFY_TIME } from './test-certificates.ts';

export interface RecordingServer {
  server: SecureServer;
  accepted: Array<{ socket: tls.TLSSocket; peer: PeerAttestation }>;
  rejected: Array<{ error: CocoonError; remote: string }>;
  nextRejection(): Promise<CocoonError>;
  nextConnection(): Promise<{ socket: tls.TLSSocket; peer: PeerAttestation }>;
}

export async function startRecordingServer(options: Omit<ListenSecureOptions, 'host' | 'port' | 'onConnection' | 'onRejected'>): Promise<RecordingServer> {
  const accepted: RecordingServer['accepted'] = [];
  const rejected: RecordingServer['rejected'] = [];
  let waiters: Array<() => void> = [];
  const notify = (): void => {
    const current = waiters;
    waiters = [];
    for (const waiter of current) waiter();
  };
  const waitUntil = async <T>(take: () => T | undefined): Promise<T> => {
    for (;;) {
      const value = take();
      if (value !== undefined) return value;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  let rejectionsSeen = 0;
  let connectionsSeen = 0;
  const server = await listenSecure({
    now: () => VERIFY_TIME,
    random: (length) => Buffer.alloc(length, 0xab),
    ...options,
    host: '127.0.0.1',
    port: 0,
    onConnection: (socket, peer) => {
      socket.on('error', () => undefined);
      socket.on('data', (data) => socket.write(data)); // echo
      accepted.push({ socket, peer });
      notify();
    },
    onRejected: (error, remote) => {
      rejected.push({ error, remote });
      notify();
    },
  });
  return {
    server,
    accepted,
    rejected,
    nextRejection: () => waitUntil(() => rejected[rejectionsSeen]?.error).then((error) => (rejectionsSeen++, error)),
    nextConnection: () => waitUntil(() => accepted[connectionsSeen]).then((entry) => (connectionsSeen++, entry)),
  };
}

/** Connects a plain TCP socket and reads the server's PoW challenge. */
export async function connectRaw(port: number): Promise<{ socket: net.Socket; challenge: PowChallenge }> {
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.on('error', () => undefined);
  let received = Buffer.alloc(0);
  while (received.length < POW_CHALLENGE_LENGTH) {
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    received = Buffer.concat([received, chunk]);
  }
  socket.pause();
  return { socket, challenge: decodePowChallenge(received.subarray(0, POW_CHALLENGE_LENGTH)) };
}

export async function waitForClose(socket: net.Socket): Promise<void> {
  if (socket.destroyed) return;
  socket.resume();
  await once(socket, 'close');
}
