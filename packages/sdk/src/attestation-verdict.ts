/**
 * `cocoon.attestation.verify(model)`'s answer: what this device verified of the model's listed
 * workers — for each usable key, the worker's image hash, TEE, the attested model, the authority its
 * quote chains to, until when the key is valid and its id; for each refused evidence, why — and
 * whether the runner said the root's allow-lists were checked. The verdict uses the same verified
 * evidence as the requests that follow (verified once, then reused).
 */
import { toHex } from '@cocoon/protocol/browser';
import type { CocoonErrorCode, VerifiedE2eKey } from '@cocoon/protocol/browser';
import type { CocoonAuthority } from './cocoon-policy.ts';
import type { VerifiedWorkers } from './e2e-transport.ts';

export interface AttestedWorkerKey {
  /** Hex SHA-256 image hash of the worker's TEE (its measurements). */
  imageHash: string;
  /** 'tdx', 'sev-snp', or 'fake_tdx' on test networks. */
  tee: string;
  /** The full model string the key serves (`name@revision:hash`). */
  model: string;
  /** `name sha256:…` of the root the quote chains to. */
  authority: string;
  /** ISO 8601: the key is not used after this. */
  validUntil: string;
  /** The first 8 bytes of the key's HPKE public key, hex. */
  keyId: string;
  /** The worker's price coefficient as listed. */
  coefficient: number;
}

export interface AttestationRefusal {
  /** The worker's index in the runner's list. */
  index: number;
  code: CocoonErrorCode;
  reason: string;
}

export interface AttestationVerdict {
  model: string;
  /** At least one worker's evidence verified: requests for the model can be sealed. */
  verified: boolean;
  /** The root this device checks quotes against. */
  authority: CocoonAuthority;
  workers: AttestedWorkerKey[];
  refused: AttestationRefusal[];
  /** What the runner reported of the root (its word: allow-lists checked, test network). */
  trust: { hashesChecked: boolean; networkIsTest: boolean };
  /**
   * The allow-lists this device checked images and models against: the app's own (policy.hashes), the
   * runner's (its word for the root's lists), or none (off chain, checkHashes: false, an injected verifier).
   */
  hashes: 'pinned' | 'relayed' | 'unchecked';
}

export function authorityLabel(authority: CocoonAuthority): string {
  return authority.sha256 ? `${authority.name} sha256:${authority.sha256.slice(0, 16)}` : authority.name;
}

function workerKey(key: VerifiedE2eKey, authority: CocoonAuthority): AttestedWorkerKey {
  return {
    imageHash: toHex(key.imageHash), tee: key.tee, model: key.model, authority: key.authority ?? authorityLabel(authority),
    validUntil: new Date(key.validUntil * 1000).toISOString(), keyId: toHex(key.hpkePublicKey.subarray(0, 8)), coefficient: key.coefficient,
  };
}

export function attestationVerdict(model: string, verified: VerifiedWorkers): AttestationVerdict {
  const { keys, refusals, authority, listing } = verified;
  return {
    model, verified: keys.length > 0, authority,
    workers: keys.map((key) => workerKey(key, authority)),
    refused: refusals.map(({ index, error }) => ({ index, code: error.code, reason: error.message })),
    trust: { hashesChecked: listing.trust?.hashes_checked === true, networkIsTest: listing.trust?.is_test === true },
    hashes: verified.hashes,
  };
}
