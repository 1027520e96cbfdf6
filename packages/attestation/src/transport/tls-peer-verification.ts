/**
 * The step both ends of a secure connection share: wait for the TLS handshake, then verify
 * the peer's certificate with the attestation policy before any application byte is read
 * or written (dependency-notes §2: OpenSSL checked CertificateVerify; the trust decision is ours).
 */
import type tls from 'node:tls';
import { CocoonError, toCocoonError } from '@cocoon/protocol';
import type { PeerAttestation, PeerVerifier } from '../verifier/peer-verifier.ts';
import { handOverErrorHandling } from './tls-settings.ts';

export interface PeerVerificationOptions {
  /** 'secure' on a server-side TLSSocket, 'secureConnect' on a client. */
  readyEvent: 'secure' | 'secureConnect';
  verifier: PeerVerifier;
  now?: () => Date;
  /** host:port of the peer, for messages. */
  peerName: string;
  onFailure(error: CocoonError): void;
  onVerified(peer: PeerAttestation): void;
}

export function verifyPeerAfterHandshake(secureSocket: tls.TLSSocket, options: PeerVerificationOptions): void {
  const onTlsError = (error: Error): void =>
    options.onFailure(new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', `TLS handshake with ${options.peerName} failed: ${error.message}`, { cause: error }));
  secureSocket.on('error', onTlsError);
  secureSocket.once('close', () => options.onFailure(new CocoonError('CCN_ERR_SESSION_CLOSED', `connection with ${options.peerName} closed during the TLS handshake`)));
  secureSocket.once(options.readyEvent, () => {
    let peer: PeerAttestation;
    try {
      peer = options.verifier.verify({ certificateDer: secureSocket.getPeerX509Certificate()?.raw }, (options.now ?? (() => new Date()))());
    } catch (error) {
      options.onFailure(toCocoonError(error, 'CCN_ERR_ATTEST_BAD_CERTIFICATE'));
      return;
    }
    handOverErrorHandling(secureSocket, onTlsError);
    options.onVerified(peer);
  });
}
