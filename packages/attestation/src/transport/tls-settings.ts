/**
 * TLS settings of every COCOON connection (§2.2): TLS 1.3 only, two AES-GCM suites, no session
 * tickets. A secure context is built once per endpoint identity and reused for every connection;
 * with a CertificateSource each new connection uses the source's current identity.
 */
import { constants } from 'node:crypto';
import tls from 'node:tls';

export interface SecureEndpointIdentity {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

/** Where an endpoint's current certificate comes from (a RefreshingCertificate regenerates it hourly). */
export interface CertificateSource {
  current(): SecureEndpointIdentity;
}

/** A fixed identity, or a source read again for every new connection. */
export type SecureIdentitySource = SecureEndpointIdentity | CertificateSource;

export function currentIdentity(source: SecureIdentitySource): SecureEndpointIdentity {
  return 'current' in source && typeof source.current === 'function' ? source.current() : (source as SecureEndpointIdentity);
}

export const TLS_CIPHER_SUITES = 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384';

const contexts = new WeakMap<SecureEndpointIdentity, tls.SecureContext>();

export function secureContextFor(identity: SecureEndpointIdentity): tls.SecureContext {
  let context = contexts.get(identity);
  if (!context) {
    context = tls.createSecureContext({
      key: identity.privateKeyPem,
      cert: identity.certificatePem,
      minVersion: 'TLSv1.3',
      maxVersion: 'TLSv1.3',
      ciphers: TLS_CIPHER_SUITES,
      secureOptions: constants.SSL_OP_NO_TICKET,
    });
    contexts.set(identity, context);
  }
  return context;
}

/**
 * Keeps `handshakeListener` as the socket's error handler only until the application attaches its
 * own, so an error between hand-over and the application's first listener cannot crash the process.
 */
export function handOverErrorHandling(socket: tls.TLSSocket, handshakeListener: (error: Error) => void): void {
  const onNewListener = (event: string | symbol): void => {
    if (event !== 'error') return;
    socket.off('error', handshakeListener);
    socket.off('newListener', onNewListener);
  };
  socket.on('newListener', onNewListener);
}
