/**
 * @cocoon/attestation — RA-TLS certificates, TEE evidence providers, peer verification policies
 * (any, fake_tdx; tdx pluggable) and the secure transport (TCP → PoW → mutual TLS 1.3 → verified peer).
 */
export * from './certificate/index.ts';
export { FakeTdxProvider, NoTeeProvider, type TeeProvider } from './tee/tee-provider.ts';
export { createAttestedCertificate, type AttestedCertificateOptions } from './tee/create-attested-certificate.ts';
export {
  EMPTY_IMAGE_HASH,
  IMAGE_HASH_LENGTH,
  MEASUREMENT_REGISTER_LENGTH,
  REPORT_DATA_LENGTH,
  computeImageHash,
  zeroMeasurements,
  type TdxMeasurements,
} from './verifier/image-hash.ts';
export type { AttestationPolicy, PeerAttestation, PeerCertificateInput, PeerVerifier, QuoteVerifier } from './verifier/peer-verifier.ts';
export { checkRaTlsCertificate } from './verifier/certificate-checks.ts';
export { AnyPolicyVerifier } from './verifier/any-policy-verifier.ts';
export { QuotePolicyVerifier, type QuotePolicyOptions } from './verifier/quote-policy-verifier.ts';
export { FakeTdxPolicyVerifier, FakeTdxQuoteVerifier } from './verifier/fake-tdx-policy-verifier.ts';
export { createPeerVerifier, type PeerVerifierOptions } from './verifier/create-peer-verifier.ts';
export * from './transport/index.ts';
