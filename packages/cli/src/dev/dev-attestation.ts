/**
 * The simulated TEE of `cocoon dev` (§7 on a machine without TDX): a dev attestation authority
 * kept in the data directory (generated once, its collateral renewed at every start), the flags
 * that make the proxy and workers attest with simulated TDX quotes and every hop verify its
 * peer under policy tdx against that authority, and the hashes the dev root must allow (the key
 * manager's image hash is what the root names as key_manager_image_hash).
 */
import { join } from 'node:path';
import { DevAttestationAuthority, computeImageHash, measureSimulatedRunner, zeroMeasurements } from '@cocoon/attestation';
import type { Logger } from '@cocoon/protocol';
import type { DevAllowedHashes } from './dev-chain-bootstrap.ts';

/** simulated: simulated TDX quotes verified under policy tdx (default); fake_tdx: the reference's unattested test mode. */
export type DevAttestationKind = 'simulated' | 'fake_tdx';

export interface DevAttestation {
  kind: DevAttestationKind;
  /** Extra flags per runner role. */
  args: { proxy: string[]; worker: string[]; client: string[]; 'key-manager': string[] };
  /** What the dev root must allow for these runners to accept each other (simulated only). */
  allowedHashes?: DevAllowedHashes;
  /** The key manager's image hash (the root's key_manager_image_hash; proxies and workers refuse another). */
  keyManagerImageHash: string;
}

/** Loads (or generates) the dev authority under `directory/attestation` and measures the runner images. */
export async function prepareDevAttestation(options: {
  kind: DevAttestationKind;
  directory: string;
  /** The full model string the workers advertise. */
  workerModel: string;
  now?: Date;
  logger: Logger;
}): Promise<DevAttestation> {
  if (options.kind === 'fake_tdx') {
    options.logger.warn('dev network with fake_tdx attestation: peers are NOT attested (pass --tee simulated for simulated TDX)');
    // No hash lists on a fake_tdx root: the key manager serves every (unattested) peer of this test network.
    return {
      kind: 'fake_tdx', args: { proxy: [], worker: [], client: [], 'key-manager': ['--check-hashes', 'false'] },
      keyManagerImageHash: computeImageHash(zeroMeasurements()).toString('hex'),
    };
  }
  const now = options.now ?? new Date();
  const authorityDir = join(options.directory, 'attestation');
  let authority: DevAttestationAuthority;
  try {
    authority = await (await DevAttestationAuthority.load(authorityDir)).renewCollateral(now);
  } catch {
    options.logger.info('generating the dev attestation authority (simulated TDX root of trust, NOT Intel)', { directory: authorityDir });
    authority = await DevAttestationAuthority.generate({ now });
  }
  await authority.save(authorityDir);
  const [proxyImage, workerImage, keyManagerImage] = await Promise.all([
    measureSimulatedRunner('proxy'), measureSimulatedRunner('worker'), measureSimulatedRunner('key_manager'),
  ]);
  options.logger.info('simulated TDX attestation: every hop verifies its peer (policy tdx) against the dev authority', {
    proxy_image_hash: proxyImage.imageHash.toString('hex'), worker_image_hash: workerImage.imageHash.toString('hex'),
    key_manager_image_hash: keyManagerImage.imageHash.toString('hex'),
  });
  const trust = ['--attestation-dev-authority-dir', authorityDir];
  return {
    kind: 'simulated',
    args: {
      proxy: ['--tee', 'simulated', ...trust, '--worker-policy', 'tdx'],
      worker: ['--tee', 'simulated', ...trust, '--proxy-policy', 'tdx'],
      client: [...trust, '--proxy-policy', 'tdx'],
      'key-manager': ['--tee', 'simulated', ...trust, '--peer-policy', 'tdx'],
    },
    keyManagerImageHash: keyManagerImage.imageHash.toString('hex'),
    allowedHashes: {
      proxyImageHashes: [proxyImage.imageHash.toString('hex')],
      workerImageHashes: [workerImage.imageHash.toString('hex')],
      models: [options.workerModel],
    },
  };
}
