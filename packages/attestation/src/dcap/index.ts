/**
 * Intel DCAP verification of TDX quotes (§7.1–7.3): parsing, crypto-only and full collateral-based
 * verification with a TCB policy, and the collateral sources (on-disk store fetching from PCS/PCCS).
 */
export { parseTdxQuote, type ParsedTdxQuote, type PckCaType } from './tdx-quote-parser.ts';
export { SIGNATURE_ONLY_TCB_STATUS, verifyQuoteSignatureOnly, type SignatureOnlyVerifiedQuote } from './signature-only-verification.ts';
export {
  DEFAULT_VERIFICATION_CACHE_SIZE,
  DcapQuoteVerifier,
  dcapLibraryVerify,
  type DcapQuoteVerifierOptions,
  type DcapTcbResult,
  type DcapVerifyFunction,
} from './dcap-quote-verifier.ts';
export { DEFAULT_ALLOWED_TCB_STATUSES, checkTcbPolicy, type TcbPolicy } from './tcb-policy.ts';
export {
  parseDcapCollateral,
  readCollateralValidity,
  serializeDcapCollateral,
  type CollateralBytes,
  type CollateralValidity,
  type DcapCollateral,
} from './dcap-collateral.ts';
export {
  DEV_AUTHORITY_NAME,
  INTEL_AUTHORITY_NAME,
  INTEL_ROOT_CA_DER,
  formatAttestationAuthority,
  tdxAttestationAuthority,
  type AttestationAuthority,
} from './attestation-authority.ts';
export { StaticCollateralSource, type CollateralSource } from './collateral-source.ts';
export {
  CollateralStore,
  DEFAULT_REFRESH_AHEAD_MS,
  DEFAULT_REFRESH_RETRY_MS,
  type CollateralStoreOptions,
  type StoredCollateral,
} from './collateral-store.ts';
