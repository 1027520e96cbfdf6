/**
 * The e2e evidence verifier of a runner (the client runner, tools): a worker's evidence certificate is
 * verified like a worker connection would be — the runner's attestation trust, policy and shared quote
 * verifier, expected role 'worker', the root's allow-lists when hashes are checked. Each key names the
 * root it rests on (`authority`), as the portable verifier's do.
 */
import type { PeerPolicy } from '@cocoon/protocol';
import type { RootHashPolicy } from '../policy/root-hash-policy.ts';
import type { RunnerAttestation } from '../runner/runner-attestation.ts';
import { AttestedE2eEvidenceVerifier } from './attested-e2e-evidence-verifier.ts';

export interface E2eEvidenceVerifierRequest {
  /** The attestation a worker must have (a client: the policy it requires of workers; tdx in production). */
  policy: PeerPolicy;
  /** Root-contract allow-lists; undefined = no hash checks (off chain). */
  hashes?: RootHashPolicy;
  /** The root contract's is_test. */
  networkIsTest: boolean;
  maxCachedEntries?: number;
}

export function createE2eEvidenceVerifier(attestation: RunnerAttestation, request: E2eEvidenceVerifierRequest): AttestedE2eEvidenceVerifier {
  const peerVerifier = attestation.verifier({ policy: request.policy, expectedRole: 'worker', hashes: request.hashes, networkIsTest: request.networkIsTest });
  return new AttestedE2eEvidenceVerifier({
    peerVerifier, ...(request.hashes ? { hashes: request.hashes } : {}), ...(request.maxCachedEntries !== undefined ? { maxCachedEntries: request.maxCachedEntries } : {}),
  });
}
