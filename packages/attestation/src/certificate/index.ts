/** RA-TLS certificate generation and reading. */
export { CertificateOid, KNOWN_CRITICAL_EXTENSIONS } from './certificate-oids.ts';
export {
  DEFAULT_CERTIFICATE_VALIDITY_SECONDS,
  RA_TLS_CERTIFICATE_NAME,
  createSelfSignedCertificate,
  exportRawPublicKey,
  generateEd25519KeyPair,
  type Ed25519KeyPair,
  type SelfSignedCertificate,
  type SelfSignedCertificateOptions,
} from './certificate-generator.ts';
export {
  findExtension,
  readCertificate,
  readEd25519PublicKey,
  type CertificateExtension,
  type CertificateInput,
  type ParsedCertificate,
} from './certificate-reader.ts';
export { formatDistinguishedName } from './distinguished-name.ts';
export {
  DEFAULT_CERTIFICATE_REFRESH_INTERVAL_MS,
  RefreshingCertificate,
  type CertificateRefreshListener,
  type RefreshingCertificateOptions,
} from './refreshing-certificate.ts';
