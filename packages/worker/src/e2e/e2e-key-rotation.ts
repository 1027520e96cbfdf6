/**
 * The worker's end-to-end keys (e2e design, "Keys and evidence"): one HPKE key pair and one Ed25519
 * receipt-signing key pair per rotation, rotated every `e2e_key_rotation_seconds`. After a rotation the
 * previous pair stays published and still opens requests until rotation time + `e2e_key_grace_seconds`;
 * then it is dropped. Each change (rotation, end of a grace) is reported to the listeners, which
 * re-announce the evidence. The clock, the timers and the key generator are injected (tests drive them).
 * Private keys never leave this object except to the request opener and the receipt signer.
 */
import { CocoonError, generateE2eKeyPair } from '@cocoon/protocol';
import type { E2eKeyPair } from '@cocoon/protocol';
import type { E2eKeyEntry } from '@cocoon/attestation';

/** setTimeout / clearTimeout, injectable. */
export interface E2eKeyTimers {
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface E2eKeyRotationOptions {
  rotationSeconds: number;
  graceSeconds: number;
  /** Unix milliseconds. */
  now: () => number;
  timers?: E2eKeyTimers;
  generate?: () => Promise<E2eKeyPair>;
  /** A rotation that failed to generate a key (the current key stays; it retries at the next period). */
  onError?: (error: CocoonError) => void;
}

export type E2eKeyChange = 'rotated' | 'grace-ended';

interface HeldKey {
  readonly pair: E2eKeyPair;
  readonly validFrom: number;
  /** Unix seconds. */
  validUntil: number;
}

const systemTimers: E2eKeyTimers = {
  setTimeout: (callback, delayMs) => {
    const timer = setTimeout(callback, delayMs);
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

const seconds = (ms: number): number => Math.floor(ms / 1000);

export class E2eKeyRotation {
  private current: HeldKey;
  private previous: HeldKey | undefined;
  private rotationTimer: unknown;
  private graceTimer: unknown;
  private stopped = true;
  private readonly listeners = new Set<(change: E2eKeyChange) => void>();
  private readonly timers: E2eKeyTimers;

  private constructor(private readonly options: E2eKeyRotationOptions, first: E2eKeyPair) {
    this.timers = options.timers ?? systemTimers;
    this.current = this.hold(first);
  }

  /** Generates the first key pair; start() schedules the rotations. */
  static async create(options: E2eKeyRotationOptions): Promise<E2eKeyRotation> {
    if (!Number.isSafeInteger(options.rotationSeconds) || options.rotationSeconds < 1) {
      throw new CocoonError('CCN_ERR_CONFIG_INVALID', `e2e_key_rotation_seconds must be a positive integer, got ${options.rotationSeconds}`, { param: 'e2e_key_rotation_seconds' });
    }
    if (!Number.isSafeInteger(options.graceSeconds) || options.graceSeconds < 0) {
      throw new CocoonError('CCN_ERR_CONFIG_INVALID', `e2e_key_grace_seconds must be a non-negative integer, got ${options.graceSeconds}`, { param: 'e2e_key_grace_seconds' });
    }
    return new E2eKeyRotation(options, await (options.generate ?? generateE2eKeyPair)());
  }

  /** The published keys with their validity (current first). */
  entries(): E2eKeyEntry[] {
    return [this.current, ...(this.previous ? [this.previous] : [])].map(({ pair, validFrom, validUntil }) => ({ pair, validFrom, validUntil }));
  }

  /** The key pairs that open requests now: the current one and, within its grace, the previous one. */
  keys(): E2eKeyPair[] {
    const now = seconds(this.options.now());
    return [this.current, ...(this.previous ? [this.previous] : [])].filter((key) => now <= key.validUntil).map((key) => key.pair);
  }

  /** Called after each rotation and at the end of each grace. Returns the unsubscribe function. */
  onChange(listener: (change: E2eKeyChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.scheduleRotation();
  }

  stop(): void {
    this.stopped = true;
    this.timers.clearTimeout(this.rotationTimer);
    this.timers.clearTimeout(this.graceTimer);
    this.rotationTimer = undefined;
    this.graceTimer = undefined;
  }

  /** A new pair now; the current one becomes the previous one, valid for the grace period. */
  async rotate(): Promise<void> {
    const pair = await (this.options.generate ?? generateE2eKeyPair)();
    const nowMs = this.options.now();
    const retiring = this.current;
    retiring.validUntil = seconds(nowMs) + this.options.graceSeconds;
    this.previous = this.options.graceSeconds > 0 ? retiring : undefined;
    this.current = this.hold(pair);
    this.timers.clearTimeout(this.graceTimer);
    this.graceTimer = undefined;
    if (this.previous && !this.stopped) {
      const ended = this.previous;
      // One second past valid_until: keys() still accepts the key during its last second.
      this.graceTimer = this.timers.setTimeout(() => this.endGrace(ended), Math.max(0, (ended.validUntil + 1) * 1000 - nowMs));
    }
    this.notify('rotated');
  }

  private hold(pair: E2eKeyPair): HeldKey {
    const now = seconds(this.options.now());
    return { pair, validFrom: now, validUntil: now + this.options.rotationSeconds + this.options.graceSeconds };
  }

  private scheduleRotation(): void {
    this.rotationTimer = this.timers.setTimeout(() => {
      this.rotationTimer = undefined;
      if (this.stopped) return;
      this.rotate().catch((error: unknown) => {
        this.options.onError?.(error instanceof CocoonError ? error : new CocoonError('CCN_ERR_INTERNAL', `e2e key rotation failed: ${String(error)}`));
      }).finally(() => {
        if (!this.stopped) this.scheduleRotation();
      });
    }, this.options.rotationSeconds * 1000);
  }

  private endGrace(key: HeldKey): void {
    this.graceTimer = undefined;
    if (this.previous !== key) return;
    this.previous = undefined;
    this.notify('grace-ended');
  }

  private notify(change: E2eKeyChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
