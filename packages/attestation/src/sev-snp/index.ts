/** AMD SEV-SNP: report parser, VCEK reader, pinned AMD roots, chain + CRL checks, KDS client and cache, report verifier, RA-TLS binding, configfs-tsm provider. */
export {
  SEV_SNP_MAX_REPORT_VERSION,
  SEV_SNP_MIN_REPORT_VERSION,
  SEV_SNP_REPORT_LENGTH,
  SEV_SNP_SIGNED_LENGTH,
  SevSnpPolicyBit,
  SevSnpReportOffset,
  decodeGuestPolicy,
  decodeTcbVersion,
  encodeTcbVersion,
  parseSevSnpReport,
  writeSevSnpSignature,
  type SevSnpGuestPolicy,
  type SevSnpReport,
  type SevSnpSigningKey,
  type SevSnpTcbVersion,
} from './sev-snp-report.ts';
export { SEV_PRODUCTS, VcekOid, certificateDer, certificatePem, productFromName, readVcekCertificate, tcbLayoutOf, type SevProduct, type VcekCertificate } from './vcek-certificate.ts';
export {
  ecCurveOf,
  readSevCertificate,
  readSignatureAlgorithm,
  verifyReportSignature,
  verifySevSignature,
  type SevCertificate,
  type SevSignatureAlgorithm,
  type SevSignedObject,
} from './sev-certificate.ts';
export { crlDer, readSevCrl, type SevCrl } from './sev-crl.ts';
export { parseSevChainJson, serializeSevChain, type SevChainJson } from './sev-chain-json.ts';
export { AMD_ARK_SHA256, AMD_ASK_SHA256, AMD_GENOA_ARK_PEM, AMD_GENOA_ASK_PEM, AMD_MILAN_ARK_PEM, AMD_MILAN_ASK_PEM, BUNDLED_AMD_CHAINS } from './amd-roots.ts';
export {
  DEFAULT_SEV_CRL_MAX_AGE_MS,
  sha256Hex,
  splitPemCertificates,
  verifySevChain,
  verifyVcekAgainstChain,
  type SevChainCheckOptions,
  type SevChainMaterial,
  type SevRootPins,
  type VerifiedSevChain,
} from './sev-trust-chain.ts';
export { AMD_KDS_URL, AmdKdsClient, KdsRateLimitedError, StaticSevPkiSource, retryAfterMs, type AmdKdsClientOptions, type FetchFunction, type SevPkiSource } from './amd-kds-client.ts';
export { DEFAULT_SEV_PKI_REFRESH_MS, SevPkiCache, type SevChainProvider, type SevPkiCacheOptions } from './sev-pki-cache.ts';
export { DEFAULT_SEV_SNP_CACHE_SIZE, SevSnpReportVerifier, formatTcb, type SevSnpReportVerifierOptions, type VerifiedSevSnpReport } from './sev-snp-report-verifier.ts';
export {
  SEV_SNP_MEASUREMENT_LENGTH,
  computeSevSnpImageHash,
  hasSevSnpExtensions,
  hasTdxExtensions,
  readSevSnpEvidence,
  sevSnpCertificateExtensions,
  type SevSnpEvidence,
} from './sev-snp-extensions.ts';
export { DEFAULT_SEV_VCEK_PATH, SevSnpTsmProvider, productFromCpuid, vcekFromCertificateTable, type SevSnpTsmProviderOptions } from './sev-snp-tsm-provider.ts';
