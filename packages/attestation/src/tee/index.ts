/** TEE evidence providers: none, fake_tdx, configfs-tsm TDX, and the factory (simulated lives in ../simulated). */
export { FakeTdxProvider, NoTeeProvider, type QuotingTeeProvider, type TeeProvider } from './tee-provider.ts';
export { createAttestedCertificate, type AttestedCertificateOptions } from './create-attested-certificate.ts';
export { quoteCertificateExtensions, reportDataForPublicKey } from './quote-extensions.ts';
export {
  ConfigfsTsmProvider,
  DEFAULT_TSM_MAX_ATTEMPTS,
  DEFAULT_TSM_REPORT_ROOT,
  type ConfigfsTsmProviderOptions,
} from './configfs-tsm-provider.ts';
export { nodeTsmFileSystem, type TsmFileSystem } from './tsm-file-system.ts';
export {
  ATTESTATION_KEY_TYPE_ECDSA_P256,
  INTEL_QE_VENDOR_ID,
  QUOTE_HEADER_LENGTH,
  TD_REPORT10_LENGTH,
  TEE_TYPE_TDX,
  TdReportOffset,
  readQuoteReportData,
} from './tdx-quote-layout.ts';
export { TEE_PROVIDER_KINDS, createTeeProvider, type TeeProviderFactoryOptions, type TeeProviderKind } from './create-tee-provider.ts';
