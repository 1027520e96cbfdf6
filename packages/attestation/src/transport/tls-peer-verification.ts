/**
 * The step both ends of a secure connection share: wait for the TLS handshake, then verify
 * the peer's certificate with the attestation policy before any application byte is read
 * or written (dependency-notes §2: OpenSSL checked CertificateVerify; the trust decision is ours).
 * Verification is asynchronous (DCAP may fetch collateral): nothing reads the socket meanwhile
 * (no 'data' listener, so TLS records stay buffered), and exactly one of onFailure / onVerified
 * is called, even when the socket closes or errors while the verifier is still working.
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
  let settled = false;
  let phase = 'the TLS handshake';
  const fail = (error: CocoonError): void => {
    if (settled) return;
    settled = true;
    secureSocket.off('close', onClose);
    options.onFailure(error);
  };
  const onTlsError = (error: Error): void =>
    fail(new CocoonError(
      isPeerGone(error) ? 'CCN_ERR_SESSION_CLOSED' : 'CCN_ERR_PROTOCOL_VIOLATION',
      `TLS connection with ${options.peerName} failed during ${phase}: ${error.message}`,
      { cause: error },
    ));
  const onClose = (): void => fail(new CocoonError('CCN_ERR_SESSION_CLOSED', `connection with ${options.peerName} closed during ${phase}`));
  secureSocket.on('error', onTlsError);
  secureSocket.once('close', onClose);
  secureSocket.once(options.readyEvent, () => {
    phase = 'peer verification';
    const now = (options.now ?? (() => new Date()))();
    const certificateDer = secureSocket.getPeerX509Certificate()?.raw;
    Promise.resolve()
      .then(() => options.verifier.verify({ certificateDer }, now))
      .then(
        (peer) => {
          if (settled) return;
          if (secureSocket.destroyed) {
            fail(new CocoonError('CCN_ERR_SESSION_CLOSED', `connection with ${options.peerName} closed during peer verification`));
            return;
          }
          settled = true;
          secureSocket.off('close', onClose);
          handOverErrorHandling(secureSocket, onTlsError);
          options.onVerified(peer);
        },
        (error: unknown) => fail(toCocoonError(error, 'CCN_ERR_ATTEST_BAD_CERTIFICATE')),
      )
      .catch(() => secureSocket.destroy()); // onVerified threw: the connection cannot be handed out

  });
}

/** A reset or broken pipe is the peer going away (like a close), not a protocol violation. */
function isPeerGone(error: Error): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ECONNRESET' || code === 'EPIPE';
}
