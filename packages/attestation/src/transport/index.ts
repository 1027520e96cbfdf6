/** The secure transport used by every COCOON connection: TCP → PoW → mutual TLS 1.3 → verified peer. */
export { DEFAULT_DIAL_TIMEOUT_MS, DEFAULT_MAX_POW_DIFFICULTY, dialSecure, type DialSecureOptions, type SecureConnection } from './dial-secure.ts';
export {
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  listenSecure,
  type AdmittedConnection,
  type ConnectionAdmission,
  type ListenSecureOptions,
  type SecureServer,
} from './listen-secure.ts';
export {
  TLS_CIPHER_SUITES,
  currentIdentity,
  secureContextFor,
  type CertificateSource,
  type SecureEndpointIdentity,
  type SecureIdentitySource,
} from './tls-settings.ts';
export { ReconnectingSession, expectAnswer, type ReconnectingSessionOptions, type ReconnectingSessionState } from './reconnecting-session.ts';
