/**
 * The client runner's view of the e2e workers a proxy lists (§22): every listed ext.e2eWorker is
 * verified through the E2eEvidenceVerifier (never the proxy's word; the verifier caches verified
 * evidence by its hash), workers whose evidence fails are left out (counted, logged without
 * content), and the keys that verified are remembered — bounded, newest kept — so the receipt of a
 * request the runner relayed blind can be checked against the signing key of the evidence it served.
 */
import { toHex } from '@cocoon/protocol';
import type { E2eEvidenceVerifier, ExtE2eWorker, Logger, VerifiedE2eKey } from '@cocoon/protocol';

/** Keys remembered for receipt checks of relayed requests. */
const MAX_SERVED_KEYS = 4096;

export interface VerifiedE2eWorker {
  worker: ExtE2eWorker;
  keys: VerifiedE2eKey[];
}

export interface E2eKeyDirectoryOptions {
  verifier: E2eEvidenceVerifier;
  now: () => number;
  logger?: Logger;
}

export class E2eKeyDirectory {
  private readonly served = new Map<string, VerifiedE2eKey>();
  private rejectedCount = 0;

  constructor(private readonly options: E2eKeyDirectoryOptions) {}

  /** Evidence refused so far (for /jsonstats). */
  get rejected(): number {
    return this.rejectedCount;
  }

  /** The listed workers whose evidence verified for `model`, in the proxy's order, each with its usable keys. */
  async verify(workers: readonly ExtE2eWorker[], model: string): Promise<VerifiedE2eWorker[]> {
    const now = new Date(this.options.now());
    const results = await Promise.all(workers.map(async (worker) => {
      try {
        const keys = await this.options.verifier.verify(worker, { model, now });
        return keys.length > 0 ? { worker, keys } : undefined;
      } catch (error) {
        this.rejectedCount += 1;
        this.options.logger?.warn('worker e2e evidence refused', { model, error: error instanceof Error ? error.message : String(error) });
        return undefined;
      }
    }));
    const verified = results.filter((entry): entry is VerifiedE2eWorker => entry !== undefined);
    for (const entry of verified) for (const key of entry.keys) this.remember(key);
    return verified;
  }

  /** A key this runner verified (and may have served to an app), by its HPKE public key. */
  servedKey(hpkePublicKey: Uint8Array): VerifiedE2eKey | undefined {
    return this.served.get(toHex(hpkePublicKey));
  }

  private remember(key: VerifiedE2eKey): void {
    const hex = toHex(key.hpkePublicKey);
    this.served.delete(hex);
    this.served.set(hex, key);
    if (this.served.size > MAX_SERVED_KEYS) this.served.delete(this.served.keys().next().value!);
  }
}
