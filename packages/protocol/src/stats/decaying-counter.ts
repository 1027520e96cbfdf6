/**
 * The `/jsonstats` counter (§8.3): `[total, 1s, 10s, 1m, 10m, 1h, 1d]`. `total` is the
 * plain cumulative sum; each window is an exponentially decayed sum whose time constant
 * is the window length (as the reference's `AmortCounterList`). These are decayed SUMS,
 * not per-second rates: a steady r per second converges to r × window seconds in that
 * window (divide by the window length for a rate). O(1) per add.
 */
import { ExponentialDecay, type MillisecondClock } from './exponential-decay.ts';

/** Window lengths in seconds, in snapshot order after `total`. */
export const DECAYING_COUNTER_WINDOWS_SECONDS = [1, 10, 60, 600, 3600, 86400] as const;

/** `[total, 1s, 10s, 1m, 10m, 1h, 1d]`. */
export type DecayingCounterSnapshot = [number, number, number, number, number, number, number];

export class DecayingCounter {
  private total = 0;
  private readonly windows: ExponentialDecay[];

  constructor(now: MillisecondClock) {
    this.windows = DECAYING_COUNTER_WINDOWS_SECONDS.map((seconds) => new ExponentialDecay(now, seconds));
  }

  /** Adds `value` (default 1: one event). */
  add(value = 1): void {
    this.total += value;
    for (const window of this.windows) window.add(value);
  }

  /** The cumulative total, undecayed. */
  totalValue(): number {
    return this.total;
  }

  /** `[total, 1s, 10s, 1m, 10m, 1h, 1d]`: the total, then the decayed sum of each window. */
  snapshot(): DecayingCounterSnapshot {
    const [w1s, w10s, w1m, w10m, w1h, w1d] = this.windows.map((window) => window.value()) as [number, number, number, number, number, number];
    return [this.total, w1s, w10s, w1m, w10m, w1h, w1d];
  }
}
