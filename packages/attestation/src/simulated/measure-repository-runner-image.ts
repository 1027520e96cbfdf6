/**
 * The simulated image of this repository's runners: MRTD measures every
 * `packages/<name>/src/**.ts` (the code that really runs), RTMR3 the role's static config. The
 * runners measure themselves with it, and `cocoon dev` registers the same hashes in its root.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { computeCodeBundleHash, measureRunnerImage, runnerCodeFiles } from './measure-runner-image.ts';
import type { TdxMeasurementRegisters } from './simulated-quote-builder.ts';
import { computeImageHash } from '../verifier/image-hash.ts';

/** This repository's packages/ directory. */
export const RUNNER_PACKAGES_DIRECTORY = fileURLToPath(new URL('../../../', import.meta.url));

export type SimulatedRunnerRole = 'proxy' | 'worker' | 'key_manager';

/** The static config a simulated runner image of `role` is measured with (RTMR3 `spec.tree`). */
export function simulatedRunnerStaticConfig(role: SimulatedRunnerRole): Record<string, unknown> {
  return { image: `cocoon-${role}`, role };
}

export interface SimulatedRunnerImage {
  measurements: TdxMeasurementRegisters;
  /** §7.1 image hash of the measurements (what the root contract lists). */
  imageHash: Buffer;
  codeFiles: number;
  codeBundleHash: Buffer;
}

/** Measures the runner code under `packagesDirectory` (default: this repository) with a static config. */
export async function measureSimulatedRunnerImage(
  staticConfig: Record<string, unknown>,
  options: { packagesDirectory?: string; debug?: boolean } = {},
): Promise<SimulatedRunnerImage> {
  const packagesDirectory = options.packagesDirectory ?? RUNNER_PACKAGES_DIRECTORY;
  const roots: string[] = [];
  for (const entry of (await readdir(packagesDirectory, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const source = join(packagesDirectory, entry.name, 'src');
    if (entry.isDirectory() && (await stat(source).then((info) => info.isDirectory(), () => false))) roots.push(join(packagesDirectory, entry.name));
  }
  const codeFiles = await runnerCodeFiles(roots);
  const codeBundleHash = await computeCodeBundleHash(codeFiles, packagesDirectory);
  const measurements = await measureRunnerImage({ codeBundleHash, staticConfig, debug: options.debug ?? false });
  return { measurements, imageHash: computeImageHash({ ...measurements, reportData: Buffer.alloc(64) }), codeFiles: codeFiles.length, codeBundleHash };
}

/** The simulated image of a proxy, worker or key manager runner of this repository. */
export function measureSimulatedRunner(role: SimulatedRunnerRole, options: { packagesDirectory?: string } = {}): Promise<SimulatedRunnerImage> {
  return measureSimulatedRunnerImage(simulatedRunnerStaticConfig(role), options);
}
