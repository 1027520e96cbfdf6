/**
 * Client side of the COCOON transport: TCP connect → read the PoW challenge, refuse difficulties
 * above the limit, solve and answer (§2.1) → TLS 1.3 presenting our certificate → verify the
 * server's certificate with our policy before the socket is handed out. The ClientHello offers
 * the ALPN protocol of our extensions (§19); a reference proxy ignores it, so none are negotiated.
 */
import net from 'node:net';
import tls from 'node:tls';
import {
  COCOON_EXTENSIONS_ALPN,
  CocoonError,
  POW_CHALLENGE_LENGTH,
  extensionsOfAlpn,
  decodePowChallenge,
  encodePowResponse,
  solvePowAsync,
  toCocoonError,
} from '@cocoon/protocol';
import type { SessionExtension } from '@cocoon/protocol';
import type { PeerAttestation, PeerVerifier } from '../verifier/peer-verifier.ts';
import { readExactly } from './read-exactly.ts';
import { currentIdentity, secureContextFor, type SecureIdentitySource } from './tls-settings.ts';
import { verifyPeerAfterHandshake } from './tls-peer-verification.ts';

export const DEFAULT_MAX_POW_DIFFICULTY = 28;
export const DEFAULT_DIAL_TIMEOUT_MS = 30_000;

export interface DialSecureOptions {
  host: string;
  port: number;
  /** A fixed identity, or a source (RefreshingCertificate) read when TLS starts. */
  identity: SecureIdentitySource;
  verifier: PeerVerifier;
  maxPowDifficulty?: number;
  /** Bounds connect + PoW + TLS + verification. */
  timeoutMs?: number;
  now?: () => Date;
  /** Offer our extensions through ALPN (default true; false dials like a reference peer). */
  offerExtensions?: boolean;
}

export interface SecureConnection {
  socket: tls.TLSSocket;
  peer: PeerAttestation;
  /** What the listener selected: every extension when it is one of ours, none for a reference proxy. */
  extensions: ReadonlySet<SessionExtension>;
}

export function dialSecure(options: DialSecureOptions): Promise<SecureConnection> {
  const target = `${options.host}:${options.port}`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_DIAL_TIMEOUT_MS;
  const maxDifficulty = options.maxPowDifficulty ?? DEFAULT_MAX_POW_DIFFICULTY;
  return new Promise<SecureConnection>((resolve, rejectPromise) => {
    let finished = false;
    let tlsSocket: tls.TLSSocket | undefined;
    const powSearch = new AbortController();
    const socket = net.connect({ host: options.host, port: options.port, noDelay: true });
    const reject = (error: unknown): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      powSearch.abort();
      tlsSocket?.destroy();
      socket.destroy();
      rejectPromise(toCocoonError(error, 'CCN_ERR_PROTOCOL_VIOLATION'));
    };
    const timer = setTimeout(() => reject(new CocoonError('CCN_ERR_TIMEOUT', `secure dial to ${target} not completed within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
    socket.on('error', () => undefined); // failures surface through readExactly or the TLS socket

    readExactly(socket, POW_CHALLENGE_LENGTH, 'PoW challenge').then(async (bytes) => {
      if (finished) return;
      const challenge = decodePowChallenge(bytes);
      if (challenge.difficulty > maxDifficulty) {
        throw new CocoonError('CCN_ERR_PROTOCOL_BAD_POW', `${target} asks for PoW difficulty ${challenge.difficulty}, above the limit ${maxDifficulty}`);
      }
      const nonce = await solvePowAsync(challenge, { signal: powSearch.signal });
      if (finished) return;
      socket.write(encodePowResponse(nonce));
      const secureSocket = tls.connect({
        socket,
        secureContext: secureContextFor(currentIdentity(options.identity)),
        rejectUnauthorized: false,
        checkServerIdentity: () => undefined,
        ...(options.offerExtensions === false ? {} : { ALPNProtocols: [COCOON_EXTENSIONS_ALPN] }),
      });
      tlsSocket = secureSocket;
      verifyPeerAfterHandshake(secureSocket, {
        readyEvent: 'secureConnect', verifier: options.verifier, now: options.now, peerName: target, onFailure: reject,
        onVerified: (peer) => {
          if (finished) return;
          finished = true;
          clearTimeout(timer);
          resolve({ socket: secureSocket, peer, extensions: extensionsOfAlpn(secureSocket.alpnProtocol) });
        },
      });
    }).catch(reject);
    socket.once('close', () => reject(new CocoonError('CCN_ERR_SESSION_CLOSED', `connection to ${target} closed before the secure handshake completed`)));
  });
}
