/**
 * The worker's end-to-end encryption, assembled (e2e design): the rotating key pairs, the evidence
 * signed by the current RA-TLS certificate and announced to every e2e proxy session (again on rotation,
 * end of a grace, certificate refresh and model switch), and the request opener the query handler uses
 * (current keys, the model served now, the replay window). start() schedules the rotations; stop()
 * ends them and the subscriptions.
 */
import { E2eHpkeRecipientCache, E2eRequestOpener, modelBaseName } from '@cocoon/protocol';
import type { CocoonError, Logger } from '@cocoon/protocol';
import { E2eEvidenceIssuer } from '@cocoon/attestation';
import type { CurrentCertificateSource } from '@cocoon/attestation';
import { E2eEvidenceAnnouncer } from './e2e-evidence-announcer.ts';
import { E2eKeyRotation } from './e2e-key-rotation.ts';
import type { E2eKeyTimers } from './e2e-key-rotation.ts';
import type { WorkerE2eContext } from './e2e-served-request.ts';

export interface WorkerE2eOptions {
  /** The worker's RA-TLS certificate (RefreshingCertificate: its refreshes re-announce the evidence). */
  certificate: CurrentCertificateSource & { onRefresh?(listener: () => void): () => void };
  /** The model served now and its switches. */
  models: { readonly current: string; onChanged?(listener: (model: string) => void): void };
  rotationSeconds: number;
  graceSeconds: number;
  replayWindowSeconds: number;
  /** Unix milliseconds. */
  now: () => number;
  logger: Logger;
  timers?: E2eKeyTimers;
}

export class WorkerE2e {
  private readonly unsubscribe: Array<() => void> = [];
  private stopped = false;

  private constructor(
    readonly keys: E2eKeyRotation,
    readonly announcer: E2eEvidenceAnnouncer,
    /** What the query handler opens requests with. */
    readonly context: WorkerE2eContext,
  ) {}

  static async open(options: WorkerE2eOptions): Promise<WorkerE2e> {
    const { logger } = options;
    const keys = await E2eKeyRotation.create({
      rotationSeconds: options.rotationSeconds, graceSeconds: options.graceSeconds, now: options.now,
      ...(options.timers ? { timers: options.timers } : {}),
      onError: (error: CocoonError) => logger.warn('e2e key rotation failed; the current key stays in use', { error: error.message }),
    });
    const announcer = new E2eEvidenceAnnouncer({
      issuer: new E2eEvidenceIssuer(options.certificate), keys: () => keys.entries(), model: () => options.models.current, now: options.now, logger,
    });
    // The opener checks one model (base name): one per base name served, so a switch to a new revision keeps its replay window.
    const hpke = new E2eHpkeRecipientCache();
    const openers = new Map<string, E2eRequestOpener>();
    const opener = {
      open: (bytes: Uint8Array) => {
        const baseName = modelBaseName(options.models.current);
        let current = openers.get(baseName);
        if (!current) {
          current = new E2eRequestOpener({ keys: () => keys.keys(), model: baseName, now: options.now, replayWindowMs: options.replayWindowSeconds * 1000, hpke });
          openers.set(baseName, current);
        }
        return current.open(bytes);
      },
    };
    const e2e = new WorkerE2e(keys, announcer, { opener, model: () => options.models.current });
    e2e.unsubscribe.push(keys.onChange((change) => announcer.refresh(change === 'rotated' ? 'key rotation' : 'end of a key grace')));
    const refreshed = options.certificate.onRefresh?.(() => announcer.refresh('certificate refresh'));
    if (refreshed) e2e.unsubscribe.push(refreshed);
    options.models.onChanged?.(() => {
      if (!e2e.stopped) announcer.refresh('model switch');
    });
    return e2e;
  }

  start(): void {
    this.keys.start();
  }

  stop(): void {
    this.stopped = true;
    this.keys.stop();
    for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
  }
}
