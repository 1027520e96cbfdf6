/**
 * The weights and constants of the proxy's market score (docs/protocol.md §4.4): how much price,
 * measured latency (time to the first answer message), measured throughput (completion tokens per
 * second), load (the reference's running × average query time) and reliability (a decaying success
 * rate) count when the proxy picks a worker, and how long a worker that just failed is skipped.
 * Every value is a proxy config key (`market_*`, config/market-config-fields.ts).
 */

export interface MarketSettings {
  /** Weight of the price term `coefficient / 1000` (1.0 at list price). */
  priceWeight: number;
  /** Weight of the latency term `ttft_p50 / latencyReferenceMs` (an unmeasured worker counts as 1). */
  latencyWeight: number;
  /** The TTFT that makes the latency term 1. */
  latencyReferenceMs: number;
  /** Weight of the throughput term `throughputReferenceTps / tokens_per_second` (unmeasured: 1; at most 1000). */
  throughputWeight: number;
  /** The throughput (completion tokens per second) that makes the throughput term 1. */
  throughputReferenceTps: number;
  /** Weight of the load term `running × average_query_time / loadReferenceMs` (the reference's rule). */
  loadWeight: number;
  /** The `running × average query time` (ms) that makes the load term 1. */
  loadReferenceMs: number;
  /** Weight of the reliability term `1 − success_rate`. */
  reliabilityWeight: number;
  /** Half-life of the success and failure counts behind the success rate. */
  reliabilityHalfLifeMs: number;
  /** Half-life of the token and streaming-time sums behind tokens per second. */
  throughputHalfLifeMs: number;
  /** A worker that failed (its fault) within this time is skipped unless no other worker is eligible. */
  failureCooldownMs: number;
}

export const DEFAULT_MARKET_SETTINGS: Readonly<MarketSettings> = Object.freeze({
  priceWeight: 1,
  latencyWeight: 1,
  latencyReferenceMs: 1000,
  throughputWeight: 1,
  throughputReferenceTps: 50,
  loadWeight: 1,
  loadReferenceMs: 1000,
  reliabilityWeight: 4,
  reliabilityHalfLifeMs: 300_000,
  throughputHalfLifeMs: 300_000,
  failureCooldownMs: 5000,
});

/** How many of a worker's latest first-answer times its TTFT median is taken over. */
export const TTFT_WINDOW = 16;
/** The success rate counts this many successes before any outcome, so it recovers towards 1 as failures fade. */
export const RELIABILITY_PRIOR_SUCCESSES = 1;
/** Cached score terms are recomputed at least this often (and at once after a request on the worker ends). */
export const SCORE_REFRESH_MS = 1000;
/** Upper bound of the latency and throughput terms (a stalled worker is very bad, not infinitely bad). */
export const MAX_TERM = 1000;
