/** End-to-end encryption evidence (e2e design): issuing a worker's signed key set and verifying it (Node). */
export { E2eEvidenceIssuer, issueE2eEvidence, type CurrentCertificateSource, type E2eEvidenceInput, type E2eKeyEntry } from './e2e-evidence-issuer.ts';
export { DEFAULT_E2E_EVIDENCE_CACHE_ENTRIES, NodeE2eEvidenceVerifier, type NodeE2eEvidenceVerifierOptions } from './node-e2e-evidence-verifier.ts';
export { createE2eEvidenceVerifier, type E2eEvidenceVerifierRequest } from './create-e2e-evidence-verifier.ts';
