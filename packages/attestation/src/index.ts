/**
 * @cocoon/attestation — RA-TLS certificates, TEE evidence providers, peer verification policies
 * (any, fake_tdx, tdx with DCAP or AMD SEV-SNP), simulated TDX and SEV-SNP for dev networks and the
 * secure transport (TCP → PoW → mutual TLS 1.3 → verified peer).
 */
export * from './certificate/index.ts';
export * from './tee/index.ts';
export * from './simulated/index.ts';
export {
  EMPTY_IMAGE_HASH,
  IMAGE_HASH_LENGTH,
  MEASUREMENT_REGISTER_LENGTH,
  REPORT_DATA_LENGTH,
  computeImageHash,
  zeroMeasurements,
  type TdxMeasurements,
} from './verifier/image-hash.ts';
export type { AttestationPolicy, PeerAttestation, PeerCertificateInput, PeerVerifier, QuoteVerifier, SevSnpPeerDetails, VerifiedQuote } from './verifier/peer-verifier.ts';
export { checkRaTlsCertificate } from './verifier/certificate-checks.ts';
export { AnyPolicyVerifier } from './verifier/any-policy-verifier.ts';
export { QuotePolicyVerifier, type QuotePolicyOptions } from './verifier/quote-policy-verifier.ts';
export { SevSnpPolicyVerifier, type SevSnpPolicyOptions } from './verifier/sev-snp-policy-verifier.ts';
export { TeePolicyVerifier } from './verifier/tee-policy-verifier.ts';
export * from './sev-snp/index.ts';
export { FAKE_TDX_TCB_STATUS, FakeTdxPolicyVerifier, FakeTdxQuoteVerifier } from './verifier/fake-tdx-policy-verifier.ts';
export * from './dcap/index.ts';
export * from './transport/index.ts';
export * from './policy/index.ts';
export { RunnerAttestation, type PeerVerifierRequest, type RunnerAttestationOptions } from './runner/runner-attestation.ts';
export * from './key-manager/index.ts';
export * from './e2e/index.ts';
