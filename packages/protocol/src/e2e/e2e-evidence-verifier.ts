/**
 * The client's view of a worker's end-to-end keys (§22): `VerifiedE2eKey`, the result of verifying a
 * proxy-listed ext.e2eWorker (certificate → quote → allow-lists, key-set signature, key validity and
 * model), and the `E2eEvidenceVerifier` port that does it. The port is browser-safe; the Node
 * implementation (PeerVerifier + the root's hashes) lives in packages/attestation/src/e2e.
 */
import type { ExtE2eWorker } from '../tl/generated/cocoon-api-types.ts';

export interface VerifiedE2eKey {
  hpkePublicKey: Uint8Array;
  signingPublicKey: Uint8Array;
  /** The full model string (`name@revision:hash`). */
  model: string;
  /** Unix seconds. */
  validUntil: number;
  imageHash: Uint8Array;
  /** The TEE kind of the attestation (e.g. "tdx", "sev-snp"). */
  tee: string;
  /** The worker's price coefficient as the proxy listed it. */
  coefficient: number;
  /** SHA-256 of the boxed ext.e2eEvidence the key came from (the cache key of verified evidence). */
  evidenceHash: Uint8Array;
  /** Who vouched for the quote: the pinned root, `${name} sha256:${first 16 hex of its DER's SHA-256}`. */
  authority?: string;
}

export interface E2eEvidenceVerifier {
  /** The worker's usable keys for `expected.model` at `expected.now`; throws CCN_ERR_E2E_EVIDENCE_INVALID. */
  verify(worker: ExtE2eWorker, expected: { model: string; now: Date }): Promise<VerifiedE2eKey[]>;
}
