/**
 * Server side of the COCOON transport: TCP accept → PoW challenge/response (§2.1) → mutual TLS 1.3
 * (§2.2) → peer verification. A socket reaches `onConnection` only after its peer is verified; the
 * whole pre-application handshake is bounded by `handshakeTimeoutMs`. An optional `admission`
 * sees every TCP connection at accept: it may refuse it (closed at once, reported as rejected)
 * or count it until its owner releases it (the socket closing releases it too). The listener
 * selects our extensions' ALPN protocol when a dialer offers it (§19); a reference dialer offers none.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import {
  COCOON_EXTENSIONS_ALPN,
  CocoonError,
  POW_RESPONSE_LENGTH,
  POW_SALT_LENGTH,
  decodePowResponse,
  encodePowChallenge,
  toCocoonError,
  verifyPow,
} from '@cocoon/protocol';
import type { PeerAttestation, PeerVerifier } from '../verifier/peer-verifier.ts';
import { readExactly } from './read-exactly.ts';
import { currentIdentity, secureContextFor, type SecureIdentitySource } from './tls-settings.ts';
import { verifyPeerAfterHandshake } from './tls-peer-verification.ts';

export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

/** A connection counted from TCP accept until it is released (idempotent). */
export interface AdmittedConnection {
  release(): void;
}

/** Decides at TCP accept whether a connection may proceed (to PoW, TLS and the session). */
export interface ConnectionAdmission<Admitted extends AdmittedConnection = AdmittedConnection> {
  /** Undefined refuses the connection: it is closed before the PoW challenge. */
  admit(socket: net.Socket): Admitted | undefined;
}

export interface ListenSecureOptions<Admitted extends AdmittedConnection = AdmittedConnection> {
  host: string;
  port: number;
  /** A fixed identity, or a source (RefreshingCertificate): new connections use its current certificate. */
  identity: SecureIdentitySource;
  verifier: PeerVerifier;
  powDifficulty: number;
  handshakeTimeoutMs?: number;
  now?: () => Date;
  random?: (length: number) => Buffer;
  /** Counts and caps connections from TCP accept on; what it admits is handed to `onConnection`. */
  admission?: ConnectionAdmission<Admitted>;
  /** Select our extensions' ALPN protocol when offered (default true; false answers like a reference proxy). */
  acceptExtensions?: boolean;
  /** Receives each verified connection; it should attach its 'error' listener synchronously. */
  onConnection: (socket: tls.TLSSocket, peer: PeerAttestation, admitted: Admitted | undefined) => void;
  onRejected?: (error: CocoonError, remote: string) => void;
}

export interface SecureServer {
  readonly port: number;
  readonly address: string;
  /** Stops listening and destroys every connection, in handshake or established. */
  close(): Promise<void>;
}

export async function listenSecure<Admitted extends AdmittedConnection = AdmittedConnection>(options: ListenSecureOptions<Admitted>): Promise<SecureServer> {
  encodePowChallenge(options.powDifficulty, Buffer.alloc(POW_SALT_LENGTH)); // validates the difficulty up front
  secureContextFor(currentIdentity(options.identity)); // validates the key and certificate up front
  const connections = new Set<net.Socket>();
  const server = net.createServer({ noDelay: true }, (socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
    acceptConnection(socket, options);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as net.AddressInfo;
  return {
    port: bound.port,
    address: bound.address,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of connections) socket.destroy();
      }),
  };
}

function acceptConnection<Admitted extends AdmittedConnection>(socket: net.Socket, options: ListenSecureOptions<Admitted>): void {
  socket.setNoDelay(true);
  const remote = `${socket.remoteAddress}:${socket.remotePort}`;
  const admitted = options.admission?.admit(socket);
  if (options.admission && !admitted) {
    socket.on('error', () => undefined);
    socket.destroy();
    options.onRejected?.(new CocoonError('CCN_ERR_SESSION_TOO_MANY_UNAUTHENTICATED', `connection from ${remote} refused: too many connections waiting for authorization`), remote);
    return;
  }
  if (admitted) socket.once('close', () => admitted.release());
  const timeoutMs = options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  let finished = false;
  let tlsSocket: tls.TLSSocket | undefined;
  const reject = (error: unknown): void => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    tlsSocket?.destroy();
    socket.destroy();
    options.onRejected?.(toCocoonError(error, 'CCN_ERR_PROTOCOL_VIOLATION'), remote);
  };
  const timer = setTimeout(() => reject(new CocoonError('CCN_ERR_TIMEOUT', `secure handshake with ${remote} not completed within ${timeoutMs} ms`)), timeoutMs);
  timer.unref();
  socket.on('error', () => undefined); // failures surface through readExactly or the TLS socket

  const challenge = { difficulty: options.powDifficulty, salt: (options.random ?? randomBytes)(POW_SALT_LENGTH) };
  socket.write(encodePowChallenge(challenge.difficulty, challenge.salt));
  readExactly(socket, POW_RESPONSE_LENGTH, 'PoW response').then((response) => {
    if (finished) return;
    const nonce = decodePowResponse(response);
    if (!verifyPow(challenge, nonce)) {
      throw new CocoonError('CCN_ERR_PROTOCOL_BAD_POW', `PoW nonce ${nonce} from ${remote} does not reach difficulty ${challenge.difficulty}`);
    }
    const secureContext = secureContextFor(currentIdentity(options.identity)); // the certificate current at TLS start
    const secureSocket = new tls.TLSSocket(socket, {
      isServer: true, secureContext, requestCert: true, rejectUnauthorized: false,
      ...(options.acceptExtensions === false ? {} : { ALPNProtocols: [COCOON_EXTENSIONS_ALPN] }),
    });
    tlsSocket = secureSocket;
    if (admitted) secureSocket.once('close', () => admitted.release());
    verifyPeerAfterHandshake(secureSocket, {
      readyEvent: 'secure', verifier: options.verifier, now: options.now, peerName: remote, onFailure: reject,
      onVerified: (peer) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        try {
          options.onConnection(secureSocket, peer, admitted);
        } catch (error) {
          secureSocket.destroy();
          options.onRejected?.(toCocoonError(error), remote);
        }
      },
    });
  }).catch(reject);
}
