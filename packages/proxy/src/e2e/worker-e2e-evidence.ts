/**
 * One worker connection's end-to-end key evidence as the proxy keeps it (docs/protocol.md §22): the
 * latest `ext.workerE2eEvidence` the worker sent on an 'e2e' session, stored as received. The proxy
 * cannot verify or forge it (the client verifies the certificate, the key-set signature and the
 * keys); it only checks the shape and size, and reads the HPKE public keys to route sealed requests.
 * A malformed or oversized announcement is refused (the caller logs it without content) and the
 * previous evidence stays: the worker keeps serving its clear and already-announced e2e requests.
 */
import type { ExtE2eEvidence } from '@cocoon/protocol';
import { encodeBoxed } from '@cocoon/protocol';

/** The largest evidence (boxed TL bytes) the proxy keeps: a certificate with its quote plus a few keys fit well below. */
export const MAX_E2E_EVIDENCE_BYTES = 64 * 1024;
/** The most keys one key set may list (current and previous keys of a few rotations). */
export const MAX_E2E_KEYS = 16;
/** Ed25519 signature length (the key-set signature the client checks). */
const SIGNATURE_BYTES = 64;

export type E2eEvidenceOutcome = { accepted: true; keys: number; bytes: number } | { accepted: false; reason: string };

export class WorkerE2eEvidence {
  private current: { evidence: ExtE2eEvidence; keys: ReadonlySet<string>; bytes: number } | undefined;

  /** Takes a new announcement, replacing the previous one; refused ones change nothing. */
  accept(evidence: ExtE2eEvidence): E2eEvidenceOutcome {
    const bytes = encodeBoxed(evidence).length;
    if (bytes > MAX_E2E_EVIDENCE_BYTES) return { accepted: false, reason: `evidence is ${bytes} bytes, more than ${MAX_E2E_EVIDENCE_BYTES}` };
    const { keys } = evidence.key_set;
    if (keys.length > MAX_E2E_KEYS) return { accepted: false, reason: `key set lists ${keys.length} keys, more than ${MAX_E2E_KEYS}` };
    if (evidence.certificate.length === 0) return { accepted: false, reason: 'evidence has no certificate' };
    if (evidence.signature.length !== SIGNATURE_BYTES) return { accepted: false, reason: `key-set signature is ${evidence.signature.length} bytes, not ${SIGNATURE_BYTES}` };
    if (keys.some((key) => key.model === '' || key.valid_until < key.valid_from)) return { accepted: false, reason: 'a key has no model or ends before it starts' };
    this.current = { evidence, keys: new Set(keys.map((key) => key.hpke_public_key.toString('hex'))), bytes };
    return { accepted: true, keys: this.current.keys.size, bytes };
  }

  /** The latest accepted evidence; undefined before any (or when it lists no key: nothing to seal to). */
  get evidence(): ExtE2eEvidence | undefined {
    return this.current && this.current.keys.size > 0 ? this.current.evidence : undefined;
  }

  /** Distinct HPKE keys the latest evidence lists. */
  get keyCount(): number {
    return this.current?.keys.size ?? 0;
  }

  /** Whether the latest evidence lists one of `hexKeys` (hex HPKE public keys of a request's recipients). */
  holdsAnyKey(hexKeys: ReadonlySet<string>): boolean {
    const keys = this.current?.keys;
    if (!keys) return false;
    for (const key of hexKeys) if (keys.has(key)) return true;
    return false;
  }
}
