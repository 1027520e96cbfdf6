/** Attestation policy from the root contract: allowed image/model hashes and the per-connection verifier. */
export { allowedHashes, modelHash, normalizeHash, type AllowedHashes, type AllowedHashesInput } from './allowed-hashes.ts';
export { RootHashPolicy, type AttestedRole } from './root-hash-policy.ts';
export { refuseOnProductionNetwork } from './production-network-guard.ts';
export {
  DEV_ATTESTATION_WARNING,
  FAKE_TDX_WARNING,
  RootHashCheckingVerifier,
  createAttestationVerifier,
  createSevSnpReportVerifier,
  devQuoteVerifier,
  type AttestationTrust,
  type AttestationVerifierOptions,
  type AttestationWarningLogger,
  type DevAuthorityTrust,
} from './create-attestation-verifier.ts';
export { SignatureOnlyQuoteVerifier } from './signature-only-quote-verifier.ts';
export { measurementsReport, type MeasurementsReport } from './measurements-report.ts';
