/**
 * @cocoon/attestation/browser — the browser-safe part of the package: verifying a worker's end-to-end
 * evidence (RA-TLS certificate → TDX quote under a pinned root with DCAP collateral, or SEV-SNP report →
 * VCEK → ASK → pinned ARK with its CRL → key-set signature → root allow-lists) where no Node built-in exists, with the same modules the runners use. Nothing this
 * entry reaches imports node:* (the global Buffer comes from the bundle's `buffer` shim).
 */
export {
  PortableE2eEvidenceVerifier,
  SEV_SNP_NOT_PORTABLE,
  SEV_SNP_NO_DEV_ARK,
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
export { AMD_ARK_SHA256 } from './sev-snp/amd-roots.ts';
export { StaticSevPkiSource, type SevPkiSource } from './sev-snp/amd-kds-client.ts';
export { parseSevChainJson, serializeSevChain, type SevChainJson } from './sev-snp/sev-chain-json.ts';
export type { SevChainMaterial } from './sev-snp/sev-trust-chain.ts';
export { SEV_PRODUCTS, type SevProduct } from './sev-snp/vcek-certificate.ts';
