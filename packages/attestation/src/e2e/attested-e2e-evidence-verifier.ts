/**
 * The E2eEvidenceVerifier port implemented over a PeerVerifier (e2e design, "Client-side verification"),
 * the one class behind the runners' verifier (createE2eEvidenceVerifier, exported as NodeE2eEvidenceVerifier
 * too) and the browser's (createPortableE2eEvidenceVerifier); it never takes the proxy's word for a worker's keys. For each `ext.e2eWorker` it (1) verifies the evidence's RA-TLS
 * certificate with the attestation PeerVerifier (quote → report data binds the certificate key → image hash
 * in the root's worker_hashes when hashes are checked), (2) requires key_set.certificate_public_key to be
 * that verified key, (3) checks the key-set signature, and (4) keeps the keys that are valid now and name
 * the requested model, each of whose SHA-256(model) must be in the root's model_hashes when hashes are
 * checked. The expensive part (1–3) is cached by SHA-256 of the boxed evidence (bounded, least recently
 * used first out); the time, root and model checks run on every call. Each key names the root its
 * attestation rests on (`authority`). Every refusal is CCN_ERR_E2E_EVIDENCE_INVALID with the reason.
 * Browser-safe.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { CocoonError, encodeBoxed, modelBaseName, toCocoonError, verifyKeySetSignature } from '@cocoon/protocol/browser';
import type { E2eEvidenceVerifier, ExtE2eEvidence, ExtE2eKey, ExtE2eWorker, VerifiedE2eKey } from '@cocoon/protocol/browser';
import { readCertificate } from '../certificate/certificate-reader.ts';
import { modelHash } from '../policy/allowed-hashes.ts';
import type { RootHashPolicy } from '../policy/root-hash-policy.ts';
import type { PeerAttestation, PeerVerifier } from '../verifier/peer-verifier.ts';

export const DEFAULT_E2E_EVIDENCE_CACHE_ENTRIES = 256;

export interface AttestedE2eEvidenceVerifierOptions {
  /** Verifies the evidence's certificate as a worker's (RunnerAttestation.verifier({ expectedRole: 'worker', … })). */
  peerVerifier: PeerVerifier;
  /** The root's allow-lists; undefined = no hash checks (off chain). Image and model hashes are checked on every call. */
  hashes?: E2eHashPolicy;
  /** Verified evidence kept (default 256). */
  maxCachedEntries?: number;
}

/** The part of RootHashPolicy the evidence checks use. */
export type E2eHashPolicy = Pick<RootHashPolicy, 'checkPeerImage' | 'checkModel'>;

/** What one evidence established, independent of the time and model asked about. */
interface VerifiedEvidence {
  readonly attestation: PeerAttestation;
  readonly notBefore: number;
  readonly notAfter: number;
}

const refused = (reason: string, cause?: unknown): CocoonError =>
  new CocoonError('CCN_ERR_E2E_EVIDENCE_INVALID', `worker e2e evidence refused: ${reason}`, cause === undefined ? {} : { cause });

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

export class AttestedE2eEvidenceVerifier implements E2eEvidenceVerifier {
  private readonly cache = new Map<string, Promise<VerifiedEvidence>>();
  private readonly maxEntries: number;

  constructor(private readonly options: AttestedE2eEvidenceVerifierOptions) {
    this.maxEntries = Math.max(1, options.maxCachedEntries ?? DEFAULT_E2E_EVIDENCE_CACHE_ENTRIES);
  }

  /** Evidences whose certificate and signature verified and are cached now. */
  get cachedEntries(): number {
    return this.cache.size;
  }

  async verify(worker: ExtE2eWorker, expected: { model: string; now: Date }): Promise<VerifiedE2eKey[]> {
    const evidence = worker.evidence;
    let evidenceHash: Buffer;
    try {
      evidenceHash = Buffer.from(sha256(encodeBoxed(evidence)));
    } catch (error) {
      throw refused(`malformed evidence (${toCocoonError(error).message})`, error);
    }
    const verified = await this.verifiedEvidence(evidence, evidenceHash, expected.now);
    const now = expected.now.getTime();
    if (now < verified.notBefore || now > verified.notAfter) {
      throw refused(`the certificate is not valid at ${expected.now.toISOString()} (valid ${new Date(verified.notBefore).toISOString()} to ${new Date(verified.notAfter).toISOString()})`);
    }
    const { hashes } = this.options;
    if (hashes) {
      try {
        hashes.checkPeerImage('worker', verified.attestation.imageHash); // the root may have changed since it was cached
      } catch (error) {
        throw refused(toCocoonError(error).message, error);
      }
    }
    return this.usableKeys(worker, verified, evidenceHash, expected);
  }

  private verifiedEvidence(evidence: ExtE2eEvidence, evidenceHash: Buffer, now: Date): Promise<VerifiedEvidence> {
    const key = evidenceHash.toString('hex');
    const cached = this.cache.get(key);
    if (cached) {
      this.cache.delete(key); // most recently used last
      this.cache.set(key, cached);
      return cached;
    }
    const pending = this.verifyEvidence(evidence, now);
    this.cache.set(key, pending);
    while (this.cache.size > this.maxEntries) this.cache.delete(this.cache.keys().next().value!);
    pending.catch(() => {
      if (this.cache.get(key) === pending) this.cache.delete(key); // a refusal is not remembered: the next call retries
    });
    return pending;
  }

  private async verifyEvidence(evidence: ExtE2eEvidence, now: Date): Promise<VerifiedEvidence> {
    let attestation: PeerAttestation;
    try {
      attestation = await this.options.peerVerifier.verify({ certificateDer: Buffer.from(evidence.certificate) }, now);
    } catch (error) {
      throw refused(`certificate: ${toCocoonError(error).message}`, error);
    }
    if (!Buffer.from(evidence.key_set.certificate_public_key).equals(attestation.publicKey)) {
      throw refused(`the key set names certificate key ${hex(evidence.key_set.certificate_public_key)}, the certificate's verified key is ${hex(attestation.publicKey)}`);
    }
    let signed: boolean;
    try {
      signed = verifyKeySetSignature(evidence, attestation.publicKey);
    } catch (error) {
      throw refused(`the key-set signature cannot be checked (${toCocoonError(error).message})`, error);
    }
    if (!signed) throw refused('the key-set signature does not verify under the certificate key');
    const certificate = readCertificate(Buffer.from(evidence.certificate)); // parsed already by the verifier: cannot fail here
    return { attestation, notBefore: certificate.notBefore.getTime(), notAfter: certificate.notAfter.getTime() };
  }

  /** The keys valid now for the requested model; a listed key for it that the root does not allow refuses the whole evidence. */
  private usableKeys(worker: ExtE2eWorker, verified: VerifiedEvidence, evidenceHash: Buffer, expected: { model: string; now: Date }): VerifiedE2eKey[] {
    const nowSeconds = Math.floor(expected.now.getTime() / 1000);
    const wanted = modelBaseName(expected.model);
    const skipped: string[] = [];
    const usable: ExtE2eKey[] = [];
    for (const key of worker.evidence.key_set.keys) {
      const name = `key ${hex(key.hpke_public_key).slice(0, 16)}…`;
      if (key.hpke_public_key.length !== 32 || key.signing_public_key.length !== 32) throw refused(`${name}: public keys must be 32 bytes`);
      if (modelBaseName(key.model) !== wanted) skipped.push(`${name} is for model ${key.model}`);
      else if (nowSeconds < key.valid_from) skipped.push(`${name} is not valid before ${new Date(key.valid_from * 1000).toISOString()}`);
      else if (nowSeconds > key.valid_until) skipped.push(`${name} expired at ${new Date(key.valid_until * 1000).toISOString()}`);
      else usable.push(key);
    }
    if (usable.length === 0) {
      throw refused(`no key valid at ${expected.now.toISOString()} for model ${wanted}${skipped.length > 0 ? ` (${skipped.join('; ')})` : ' (the key set is empty)'}`);
    }
    const { hashes } = this.options;
    if (hashes) {
      for (const key of usable) {
        try {
          hashes.checkModel(key.model);
        } catch (error) {
          throw refused(`model "${key.model}" (hash ${modelHash(key.model).toString('hex')}) is not in the root contract's model_hashes`, error);
        }
      }
    }
    const { attestation } = verified;
    const tee = attestation.tee ?? (attestation.policy === 'tdx' ? 'tdx' : attestation.policy);
    const authority = attestation.authority ?? `none (policy ${attestation.policy}: not attested)`;
    return usable.map((key) => ({
      hpkePublicKey: Uint8Array.from(key.hpke_public_key),
      signingPublicKey: Uint8Array.from(key.signing_public_key),
      model: key.model,
      validUntil: key.valid_until,
      imageHash: Uint8Array.from(attestation.imageHash),
      tee,
      coefficient: worker.coefficient,
      evidenceHash: Uint8Array.from(evidenceHash),
      authority,
    }));
  }
}
