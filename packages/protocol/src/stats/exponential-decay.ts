/**
 * One exponentially decayed sum (the reference's `AmortCounter`): every added value
 * fades as `exp(−elapsed / period)`. Stats only: floating point, never money.
 */

/** Milliseconds from an injected (preferably monotonic) clock. */
export type MillisecondClock = () => number;

export class ExponentialDecay {
  private decayedValue = 0;
  private updatedAtMs: number;
  private readonly periodMs: number;

  constructor(
    private readonly now: MillisecondClock,
    periodSeconds: number,
  ) {
    if (!(periodSeconds > 0)) throw new RangeError(`decay period must be positive, got ${periodSeconds}`);
    this.periodMs = periodSeconds * 1000;
    this.updatedAtMs = now();
  }

  add(value: number): void {
    this.relax();
    this.decayedValue += value;
  }

  /** The decayed sum as of now. */
  value(): number {
    this.relax();
    return this.decayedValue;
  }

  /** Applies the decay up to the current time; a clock that goes backwards decays nothing. */
  private relax(): void {
    const nowMs = this.now();
    const elapsedMs = nowMs - this.updatedAtMs;
    if (elapsedMs > 0) {
      this.decayedValue *= Math.exp(-elapsedMs / this.periodMs);
      this.updatedAtMs = nowMs;
    }
  }
}
