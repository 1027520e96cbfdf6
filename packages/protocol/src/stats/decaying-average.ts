/**
 * Average of recent samples over an exponentially decaying window (default 10 minutes),
 * e.g. the average query time used for worker selection (§4.4). Both the sample sum and
 * the sample count decay; the average is their ratio. When the decayed count falls to
 * `minimumWeight` or below (no history, or history faded away) the average is 0, as in
 * the reference. (The reference divides count by time, inverting its own name; we return
 * the real average: sum of samples ÷ number of samples.)
 */
import { ExponentialDecay, type MillisecondClock } from './exponential-decay.ts';

export interface DecayingAverageOptions {
  /** Decay time constant in seconds (default 600 = 10 minutes). */
  periodSeconds?: number;
  /** Decayed sample count at or below which the average reads 0 (default 0.1, as the reference). */
  minimumWeight?: number;
}

export class DecayingAverage {
  private readonly sampleSum: ExponentialDecay;
  private readonly sampleCount: ExponentialDecay;
  private readonly minimumWeight: number;

  constructor(now: MillisecondClock, options: DecayingAverageOptions = {}) {
    const periodSeconds = options.periodSeconds ?? 600;
    this.sampleSum = new ExponentialDecay(now, periodSeconds);
    this.sampleCount = new ExponentialDecay(now, periodSeconds);
    this.minimumWeight = options.minimumWeight ?? 0.1;
  }

  /** Records one sample. */
  add(sample: number): void {
    this.sampleSum.add(sample);
    this.sampleCount.add(1);
  }

  /** Decayed average of the samples; 0 when there is no (remaining) history. */
  average(): number {
    const weight = this.sampleCount.value();
    if (weight <= this.minimumWeight) return 0;
    return this.sampleSum.value() / weight;
  }

  /** Decayed number of samples (e.g. `queries_10m`). */
  weight(): number {
    return this.sampleCount.value();
  }

  /** Decayed sum of the samples (e.g. `queries_time_10m`). */
  sum(): number {
    return this.sampleSum.value();
  }
}
