/**
 * Publication of the key manager's public keys on the root (op root_add_public_key_signed): the
 * port the runner uses (`PublicKeyPublisher`) and `KeyPublicationQueue`, which publishes every
 * new key, retries a failed publication with backoff, and on start re-publishes stored keys the
 * root does not list yet (a crash between storing and sending loses nothing). Each send, and each
 * failed one, is reported to `onPublication` (the key manager's metrics).
 */
import { toCocoonError, type Logger } from '@cocoon/protocol';
import type { ManagedKey } from '../keys/managed-key.ts';

/** What the root learns of a key. */
export interface PublishedKey {
  publicKey: Buffer;
  keyType: number;
  /** Unix seconds. */
  expireAt: number;
}

export interface PublicKeyPublisher {
  /** Sends the signed publication; resolves once the message is on its way (the root's acceptance is seen in `registered`). */
  publish(key: PublishedKey): Promise<void>;
  /** Public keys (hex) the root lists now; undefined when not known. */
  registered(): ReadonlySet<string> | undefined;
}

export interface KeyPublicationQueueOptions {
  publisher: PublicKeyPublisher;
  logger: Logger;
  /** Unix milliseconds. */
  now: () => number;
  /** First retry delay (30 s), doubling up to 30 min. */
  retryDelayMs?: number;
  /** Told of every publication sent (success) or failed. */
  onPublication?: (result: 'success' | 'failed') => void;
}

interface PendingPublication {
  key: PublishedKey;
  nextAttemptAt: number;
  attempts: number;
  sentAt?: number;
}

const MAX_RETRY_DELAY_MS = 30 * 60_000;
/** A sent publication the root still does not list after this long is sent again. */
const CONFIRM_WITHIN_MS = 5 * 60_000;

export class KeyPublicationQueue {
  private readonly pending = new Map<string, PendingPublication>();
  private running: Promise<void> | undefined;
  published = 0;
  failures = 0;

  constructor(private readonly options: KeyPublicationQueueOptions) {}

  /** Queues a key for publication (due now). Debug keys are never published. */
  add(key: ManagedKey): void {
    if (key.isDebugKey) return;
    const hex = key.publicKey.toString('hex');
    if (this.pending.has(hex)) return;
    this.pending.set(hex, { key: { publicKey: key.publicKey, keyType: key.keyType, expireAt: key.validUntil }, nextAttemptAt: 0, attempts: 0 });
  }

  /** Stops publishing a key (removed by the operator); a publication already sent stays on the root until it expires. */
  forget(publicKey: Buffer): void {
    this.pending.delete(publicKey.toString('hex'));
  }

  /** Public keys (hex) waiting for the root to list them. */
  get waiting(): string[] {
    return [...this.pending.keys()];
  }

  /** Sends what is due; drops what the root lists or what expired. Concurrent calls share one run. */
  run(): Promise<void> {
    this.running ??= this.runOnce().finally(() => { this.running = undefined; });
    return this.running;
  }

  private async runOnce(): Promise<void> {
    const now = this.options.now();
    const registered = this.options.publisher.registered();
    for (const [hex, entry] of this.pending) {
      if (registered?.has(hex) || entry.key.expireAt * 1000 <= now) {
        this.pending.delete(hex);
        continue;
      }
      if (entry.nextAttemptAt > now) continue;
      entry.attempts += 1;
      const delay = Math.min((this.options.retryDelayMs ?? 30_000) * 2 ** (entry.attempts - 1), MAX_RETRY_DELAY_MS);
      try {
        await this.options.publisher.publish(entry.key);
        this.published += 1;
        this.options.onPublication?.('success');
        entry.sentAt = now;
        // Without a view of the root the send is final; with one, check it lands and resend if not.
        if (!registered) this.pending.delete(hex);
        else entry.nextAttemptAt = now + Math.max(delay, CONFIRM_WITHIN_MS);
        this.options.logger.info('public key published on the root', { public: hex, type: entry.key.keyType, expire_at: entry.key.expireAt });
      } catch (error) {
        this.failures += 1;
        this.options.onPublication?.('failed');
        entry.nextAttemptAt = now + delay;
        this.options.logger.warn('publishing a public key on the root failed; will retry', {
          public: hex, attempt: entry.attempts, retry_in_ms: delay, error: toCocoonError(error).message,
        });
      }
    }
  }
}
