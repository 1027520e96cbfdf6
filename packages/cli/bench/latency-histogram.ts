/**
 * A mergeable latency histogram for the scale benchmark: 10 µs buckets up to 2 s (one overflow
 * bucket above), so the load processes send compact sparse counts to the coordinator, which merges
 * them and reads nearest-rank percentiles. Negative samples (clock noise) count as 0.
 */

const BUCKET_MS = 0.01;
const BUCKETS = 200_000;

/** Sparse form sent between processes: [bucket index, count] pairs. */
export type HistogramCounts = Array<[number, number]>;

export class LatencyHistogram {
  private readonly counts = new Uint32Array(BUCKETS + 1);
  count = 0;
  private sumMs = 0;
  private maxMs = 0;

  record(ms: number): void {
    const value = ms > 0 ? ms : 0;
    const index = Math.min(BUCKETS, Math.floor(value / BUCKET_MS));
    this.counts[index]! += 1;
    this.count += 1;
    this.sumMs += value;
    if (value > this.maxMs) this.maxMs = value;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.sumMs = 0;
    this.maxMs = 0;
  }

  toJSON(): { counts: HistogramCounts; sumMs: number; maxMs: number } {
    const counts: HistogramCounts = [];
    for (let index = 0; index <= BUCKETS; index++) if (this.counts[index]! > 0) counts.push([index, this.counts[index]!]);
    return { counts, sumMs: this.sumMs, maxMs: this.maxMs };
  }

  merge(other: { counts: HistogramCounts; sumMs: number; maxMs: number }): void {
    for (const [index, count] of other.counts) {
      this.counts[index]! += count;
      this.count += count;
    }
    this.sumMs += other.sumMs;
    if (other.maxMs > this.maxMs) this.maxMs = other.maxMs;
  }

  /** Nearest-rank percentile (upper edge of its bucket), NaN when empty. */
  percentile(fraction: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(fraction * this.count));
    let seen = 0;
    for (let index = 0; index <= BUCKETS; index++) {
      seen += this.counts[index]!;
      if (seen >= rank) return index === BUCKETS ? this.maxMs : Math.round((index + 1) * BUCKET_MS * 1000) / 1000;
    }
    return this.maxMs;
  }

  get meanMs(): number {
    return this.count === 0 ? Number.NaN : this.sumMs / this.count;
  }

  get max(): number {
    return this.maxMs;
  }
}
