/**
 * The simulated TEE of `cocoon dev` (§7 on a machine without TDX or SEV-SNP): a dev attestation
 * authority kept in the data directory (generated once, its collateral and SEV-SNP CRL renewed at
 * every start; a simulated-TDX root "NOT INTEL" and an SEV-SNP chain "NOT AMD"), the flags that
 * make every runner attest with simulated TDX quotes or simulated SEV-SNP reports and every hop
 * verify its peer under policy tdx (which accepts both) against that authority, and the hashes the
 * dev root must allow: exactly the images the runners of this network attest to (the key
 * manager's is what the root names as key_manager_image_hash).
 */
import { join } from 'node:path';
import { DevAttestationAuthority, computeImageHash, measureSimulatedRunner, measureSimulatedSevSnpRunner, zeroMeasurements } from '@cocoon/attestation';
import type { Logger } from '@cocoon/protocol';
import type { DevAllowedHashes } from './dev-chain-bootstrap.ts';

/**
 * simulated (default): simulated TDX everywhere; simulated-sev-snp: simulated SEV-SNP everywhere;
 * mixed: the proxy and the key manager on simulated TDX, worker 1, 3, … on simulated SEV-SNP and
 * worker 2, 4, … on simulated TDX; fake_tdx: the reference's unattested test mode.
 */
export const DEV_ATTESTATION_KINDS = ['simulated', 'simulated-sev-snp', 'mixed', 'fake_tdx'] as const;
export type DevAttestationKind = (typeof DEV_ATTESTATION_KINDS)[number];

/** The `--tee` of one runner of a dev network. */
export type DevRunnerTee = 'simulated' | 'simulated-sev-snp' | 'fake_tdx';

export type DevAttestedRole = 'proxy' | 'worker' | 'key_manager';

export interface DevAttestation {
  kind: DevAttestationKind;
  /** Extra flags per runner role; `worker` is worker 1's (see workerArgs). */
  args: { proxy: string[]; worker: string[]; client: string[]; 'key-manager': string[] };
  /** The flags of worker `index` (0-based): in a mixed network the workers alternate SEV-SNP and TDX. */
  workerArgs(index: number): string[];
  /** How each runner attests: the proxy's and key manager's tee, and worker `index`'s. */
  tees: { proxy: DevRunnerTee; keyManager: DevRunnerTee; worker(index: number): DevRunnerTee };
  /** What the dev root must allow for these runners to accept each other (simulated kinds only). */
  allowedHashes?: DevAllowedHashes;
  /** The key manager's image hash (the root's key_manager_image_hash; proxies and workers refuse another). */
  keyManagerImageHash: string;
  /** The dev authority's simulated-TDX root certificate (DER) that verifiers pin (simulated kinds only): the light client's trust. */
  rootCertificateDer?: Buffer;
  /** The dev authority's SEV-SNP ARK certificate (DER) when it has an SEV-SNP chain: the light client's trust for SEV-SNP workers. */
  sevArkDer?: Buffer;
}

/** The tee of each runner under a kind. */
export function devRunnerTees(kind: DevAttestationKind): DevAttestation['tees'] {
  switch (kind) {
    case 'fake_tdx':
      return { proxy: 'fake_tdx', keyManager: 'fake_tdx', worker: () => 'fake_tdx' };
    case 'simulated':
      return { proxy: 'simulated', keyManager: 'simulated', worker: () => 'simulated' };
    case 'simulated-sev-snp':
      return { proxy: 'simulated-sev-snp', keyManager: 'simulated-sev-snp', worker: () => 'simulated-sev-snp' };
    case 'mixed':
      return { proxy: 'simulated', keyManager: 'simulated', worker: (index) => (index % 2 === 0 ? 'simulated-sev-snp' : 'simulated') };
  }
}

/** The image hash (hex) a runner of this checkout attests to under a simulated tee (what `cocoon attest self --role` prints). */
export async function simulatedImageHash(tee: Exclude<DevRunnerTee, 'fake_tdx'>, role: DevAttestedRole): Promise<string> {
  const image = tee === 'simulated' ? await measureSimulatedRunner(role) : await measureSimulatedSevSnpRunner(role);
  return image.imageHash.toString('hex');
}

/** A one-line description of how a dev network of this kind attests (for `cocoon dev`'s banner). */
export function describeDevAttestation(kind: DevAttestationKind): string {
  switch (kind) {
    case 'fake_tdx':
      return 'fake_tdx: peers are NOT attested';
    case 'simulated':
      return 'simulated TDX (dev root of trust, NOT Intel): every hop verified under policy tdx';
    case 'simulated-sev-snp':
      return 'simulated SEV-SNP (dev ARK, NOT AMD): every hop verified under policy tdx';
    case 'mixed':
      return 'mixed: proxy and key manager simulated TDX, workers 1, 3, … simulated SEV-SNP, 2, 4, … simulated TDX (dev roots, NOT Intel/AMD); every hop verified under policy tdx';
  }
}

/** Loads (or generates) the dev authority under `directory/attestation` and measures the runner images. */
export async function prepareDevAttestation(options: {
  kind: DevAttestationKind;
  directory: string;
  /** The full model string the workers advertise. */
  workerModel: string;
  /** Number of workers (which tees the workers use in a mixed network); default 2. */
  workers?: number;
  now?: Date;
  logger: Logger;
}): Promise<DevAttestation> {
  const tees = devRunnerTees(options.kind);
  if (options.kind === 'fake_tdx') {
    options.logger.warn('dev network with fake_tdx attestation: peers are NOT attested (pass --tee simulated for simulated TDX)');
    // No hash lists on a fake_tdx root: the key manager serves every (unattested) peer of this test network.
    return {
      kind: 'fake_tdx', args: { proxy: [], worker: [], client: [], 'key-manager': ['--check-hashes', 'false'] }, workerArgs: () => [], tees,
      keyManagerImageHash: computeImageHash(zeroMeasurements()).toString('hex'),
    };
  }
  const now = options.now ?? new Date();
  const authorityDir = join(options.directory, 'attestation');
  let authority: DevAttestationAuthority;
  try {
    authority = await (await DevAttestationAuthority.load(authorityDir)).renewCollateral(now);
  } catch {
    options.logger.info('generating the dev attestation authority (simulated TDX and SEV-SNP roots of trust, NOT Intel, NOT AMD)', { directory: authorityDir });
    authority = await DevAttestationAuthority.generate({ now });
  }
  await authority.save(authorityDir);
  const workerTees = [...new Set(Array.from({ length: options.workers ?? 2 }, (_, index) => tees.worker(index)))] as Array<Exclude<DevRunnerTee, 'fake_tdx'>>;
  const proxyTee = tees.proxy as Exclude<DevRunnerTee, 'fake_tdx'>;
  const keyManagerTee = tees.keyManager as Exclude<DevRunnerTee, 'fake_tdx'>;
  const [proxyImageHash, keyManagerImageHash, ...workerImageHashes] = await Promise.all([
    simulatedImageHash(proxyTee, 'proxy'), simulatedImageHash(keyManagerTee, 'key_manager'), ...workerTees.map((tee) => simulatedImageHash(tee, 'worker')),
  ]);
  options.logger.info(`attestation ${describeDevAttestation(options.kind)}`, {
    proxy_image_hash: proxyImageHash, worker_image_hashes: workerImageHashes.join(','), key_manager_image_hash: keyManagerImageHash,
  });
  const trust = ['--attestation-dev-authority-dir', authorityDir];
  const workerArgs = (index: number): string[] => ['--tee', tees.worker(index), ...trust, '--proxy-policy', 'tdx'];
  return {
    kind: options.kind,
    args: {
      proxy: ['--tee', proxyTee, ...trust, '--worker-policy', 'tdx'],
      worker: workerArgs(0),
      client: [...trust, '--proxy-policy', 'tdx'],
      'key-manager': ['--tee', keyManagerTee, ...trust, '--peer-policy', 'tdx'],
    },
    workerArgs,
    tees,
    keyManagerImageHash: keyManagerImageHash!,
    rootCertificateDer: authority.rootCertificateDer,
    ...(authority.sevSnp ? { sevArkDer: authority.sevSnp.arkDer } : {}),
    allowedHashes: { proxyImageHashes: [proxyImageHash!], workerImageHashes, models: [options.workerModel] },
  };
}
