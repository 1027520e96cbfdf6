/**
 * @cocoon/attestation/browser — the browser-safe part of the package: verifying a worker's end-to-end
 * evidence (RA-TLS certificate → TDX quote under a pinned root with DCAP collateral → key-set signature →
 * root allow-lists) where no Node built-in exists, with the same modules the runners use. Nothing this
 * entry reaches imports node:* (the global Buffer comes from the bundle's `buffer` shim).
 */
export {
  PortableE2eEvidenceVerifier,
  SEV_SNP_NOT_PORTABLE,
  createPortableE2eEvidenceVerifier,
  type PortableE2eVerifierOptions,
} from './e2e/portable-e2e-evidence-verifier.ts';
export { AttestedE2eEvidenceVerifier, DEFAULT_E2E_EVIDENCE_CACHE_ENTRIES } from './e2e/attested-e2e-evidence-verifier.ts';
export {
  DEV_AUTHORITY_NAME,
  INTEL_AUTHORITY_NAME,
  formatAttestationAuthority,
  tdxAttestationAuthority,
  type AttestationAuthority,
} from './dcap/attestation-authority.ts';
export {
  parseDcapCollateral,
  readCollateralValidity,
  serializeDcapCollateral,
  type CollateralBytes,
  type CollateralValidity,
  type DcapCollateral,
} from './dcap/dcap-collateral.ts';
export { StaticCollateralSource, type CollateralSource } from './dcap/collateral-source.ts';
export { DEFAULT_ALLOWED_TCB_STATUSES, type TcbPolicy } from './dcap/tcb-policy.ts';
