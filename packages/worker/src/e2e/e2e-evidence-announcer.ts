/**
 * Announces the worker's end-to-end key evidence (e2e design): `ext.workerE2eEvidence` on every proxy
 * session that negotiated the `e2e` extension, once its handshake completed, and again to every such
 * session whenever the evidence changes — key rotation or end of a grace, certificate refresh, model
 * switch. A session without `e2e` (a reference proxy) is never sent anything. The evidence is built
 * lazily and kept until the next change.
 */
import type { CocoonSession, ExtE2eEvidence, Logger } from '@cocoon/protocol';
import type { E2eEvidenceInput } from '@cocoon/attestation';

export interface E2eEvidenceAnnouncerOptions {
  /** Signs a key set with the worker's current certificate (E2eEvidenceIssuer). */
  issuer: { issue(fields: Omit<E2eEvidenceInput, 'certificate'>): ExtE2eEvidence };
  /** The published keys now (E2eKeyRotation.entries). */
  keys: () => E2eEvidenceInput['keys'];
  /** The full model string served now. */
  model: () => string;
  /** Unix milliseconds. */
  now: () => number;
  logger: Logger;
}

export class E2eEvidenceAnnouncer {
  private readonly sessions = new Set<CocoonSession>();
  private cached: ExtE2eEvidence | undefined;
  private announcements = 0;

  constructor(private readonly options: E2eEvidenceAnnouncerOptions) {}

  /** The evidence as announced now. */
  evidence(): ExtE2eEvidence {
    this.cached ??= this.options.issuer.issue({ model: this.options.model(), keys: this.options.keys(), issuedAt: Math.floor(this.options.now() / 1000) });
    return this.cached;
  }

  /** ext.workerE2eEvidence messages sent so far (all sessions). */
  get sent(): number {
    return this.announcements;
  }

  /** A proxy session whose handshake completed: with `e2e` it gets the evidence now and after every change. */
  attach(session: CocoonSession): void {
    if (!session.extensions.has('e2e') || this.sessions.has(session)) return;
    this.sessions.add(session);
    session.once('close', () => this.sessions.delete(session));
    this.announce(session);
  }

  /** The evidence changed (`reason` is logged): rebuilt and sent to every attached session. */
  refresh(reason: string): void {
    this.cached = undefined;
    if (this.sessions.size === 0) return;
    this.options.logger.info('announcing new e2e key evidence', { reason, proxies: this.sessions.size });
    for (const session of this.sessions) this.announce(session);
  }

  private announce(session: CocoonSession): void {
    if (!session.isOpen) {
      this.sessions.delete(session);
      return;
    }
    try {
      session.send({ _: 'ext.workerE2eEvidence', evidence: this.evidence() });
      this.announcements += 1;
    } catch (error) {
      this.options.logger.warn('cannot announce e2e key evidence', { error: error instanceof Error ? error.message : String(error) });
    }
  }
}
