/** Simulated TDX and SEV-SNP for dev networks: dev roots of trust + collateral, evidence-producing providers, measurements. */
export {
  DEV_PCK_NAME,
  DEV_PLATFORM_CA_NAME,
  DEV_ROOT_NAME,
  DEV_TCB_SIGNING_NAME,
  DevAttestationAuthority,
  type DevAttestationAuthorityOptions,
} from './dev-attestation-authority.ts';
export type { DevCollateral } from './dev-collateral.ts';
export { DevPlatform } from './dev-platform.ts';
export { SimulatedTdxProvider, type SimulatedTdxProviderOptions } from './simulated-tdx-provider.ts';
export type { TdxMeasurementRegisters } from './simulated-quote-builder.ts';
export {
  computeCodeBundleHash,
  extendRtmr,
  measureRunnerImage,
  rtmr3Events,
  runnerCodeFiles,
  simulatedMeasurements,
  staticConfigHash,
  type RunnerImageDescription,
} from './measure-runner-image.ts';
export { canonicalJson } from './canonical-json.ts';
export {
  RUNNER_PACKAGES_DIRECTORY,
  measureSimulatedRunner,
  measureSimulatedRunnerImage,
  simulatedRunnerStaticConfig,
  type SimulatedRunnerImage,
  type SimulatedRunnerRole,
} from './measure-repository-runner-image.ts';
export { DEV_SEV_ARK_NAME, DEV_SEV_ASK_NAME, DEV_SEV_VCEK_NAME, DevSevSnpAuthority, devVcekExtensions, generateDevSevKeyPair, type DevSevSnpCrlOptions } from './dev-sev-snp-authority.ts';
export { DevSevSnpPlatform } from './dev-sev-snp-platform.ts';
export {
  SimulatedSevSnpProvider,
  buildSevSnpReport,
  signSevSnpReport,
  type SevSnpReportFields,
  type SimulatedSevSnpProviderOptions,
} from './simulated-sev-snp-provider.ts';
export { measureSimulatedSevSnpRunner, simulatedSevSnpMeasurement, type SimulatedSevSnpRunnerImage } from './measure-sev-snp-runner-image.ts';
