/**
 * The simulated SEV-SNP launch measurement of this repository's runners: one 48-byte value over
 * the same code bundle hash the simulated TDX MRTD measures and the role's static config (and the
 * debug flag), so any code change changes the SEV image hash too. The image hash is the reference's
 * SHA-256(MEASUREMENT ‖ 64 zero bytes).
 */
import { createHash } from 'node:crypto';
import { computeSevSnpImageHash } from '../sev-snp/sev-snp-extensions.ts';
import { staticConfigHash } from './measure-runner-image.ts';
import { measureSimulatedRunnerImage, simulatedRunnerStaticConfig, type SimulatedRunnerRole } from './measure-repository-runner-image.ts';

export interface SimulatedSevSnpRunnerImage {
  measurement: Buffer;
  imageHash: Buffer;
  codeBundleHash: Buffer;
}

/** MEASUREMENT = SHA-384("cocoon-simulated-sev-snp:launch measurement\0" ‖ bundle hash ‖ config hash ‖ debug byte). */
export function simulatedSevSnpMeasurement(codeBundleHash: Buffer, staticConfig: Record<string, unknown>, debug = false): Buffer {
  return createHash('sha384')
    .update('cocoon-simulated-sev-snp:launch measurement\0', 'utf8')
    .update(codeBundleHash)
    .update(staticConfigHash(staticConfig), 'utf8')
    .update(Buffer.from([debug ? 1 : 0]))
    .digest();
}

/** The simulated SEV-SNP image of a proxy or worker runner of this repository. */
export async function measureSimulatedSevSnpRunner(role: SimulatedRunnerRole, options: { packagesDirectory?: string } = {}): Promise<SimulatedSevSnpRunnerImage> {
  const staticConfig = simulatedRunnerStaticConfig(role);
  const { codeBundleHash } = await measureSimulatedRunnerImage(staticConfig, options);
  const measurement = simulatedSevSnpMeasurement(codeBundleHash, staticConfig);
  return { measurement, imageHash: computeSevSnpImageHash(measurement), codeBundleHash };
}
