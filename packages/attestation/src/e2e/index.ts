/**
 * End-to-end encryption evidence (e2e design): issuing a worker's signed key set (Node) and verifying it
 * (portable; NodeE2eEvidenceVerifier is the name the runners and tests know the same class by).
 */
export { E2eEvidenceIssuer, issueE2eEvidence, type CurrentCertificateSource, type E2eEvidenceInput, type E2eKeyEntry } from './e2e-evidence-issuer.ts';
export {
  AttestedE2eEvidenceVerifier,
  AttestedE2eEvidenceVerifier as NodeE2eEvidenceVerifier,
  DEFAULT_E2E_EVIDENCE_CACHE_ENTRIES,
  type AttestedE2eEvidenceVerifierOptions,
  type AttestedE2eEvidenceVerifierOptions as NodeE2eEvidenceVerifierOptions,
  type E2eHashPolicy,
} from './attested-e2e-evidence-verifier.ts';
export { createE2eEvidenceVerifier, type E2eEvidenceVerifierRequest } from './create-e2e-evidence-verifier.ts';
export {
  PortableE2eEvidenceVerifier,
  SEV_SNP_NOT_PORTABLE,
  SEV_SNP_NO_DEV_ARK,
  createPortableE2eEvidenceVerifier,
  type PortableE2eVerifierOptions,
} from './portable-e2e-evidence-verifier.ts';
