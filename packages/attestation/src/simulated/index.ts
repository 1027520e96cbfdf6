/** Simulated TDX for dev networks: dev root of trust + collateral, quote-producing provider, measurements. */
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
