/**
 * Conversions and bucket layouts shared by the role metrics: nanoTON (bigint everywhere else)
 * becomes a Prometheus float only here, exact up to 2^53 nanoTON (about 9 million TON; beyond that
 * the value rounds to the nearest double, which a rate or a dashboard never notices); request
 * latency buckets in seconds.
 */

/** A nanoTON amount as a metric value: exact up to Number.MAX_SAFE_INTEGER (2^53 − 1) nanoTON. */
export function nanotonMetricValue(nanoton: bigint): number {
  return Number(nanoton);
}

/** Whole requests: from 10 ms (a cached answer) to 10 minutes (a long generation). */
export const REQUEST_DURATION_SECONDS_BUCKETS: readonly number[] = Object.freeze([0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600]);

/** Time to the first answer byte (TTFT for a streamed answer): 5 ms to a minute. */
export const FIRST_ANSWER_SECONDS_BUCKETS: readonly number[] = Object.freeze([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]);

/** The four billed token categories (§5.1), the `category` label of the token counters. */
export const TOKEN_CATEGORIES = ['prompt', 'cached', 'completion', 'reasoning'] as const;
export type TokenCategory = (typeof TOKEN_CATEGORIES)[number];
export type TokenTotals = Readonly<Record<TokenCategory, number>>;

/** One sample per token category. */
export function tokenSamples(totals: TokenTotals): Array<{ labels: { category: TokenCategory }; value: number }> {
  return TOKEN_CATEGORIES.map((category) => ({ labels: { category }, value: totals[category] }));
}

/** A 0/1 gauge value. */
export function flagValue(flag: boolean): number {
  return flag ? 1 : 0;
}

/** How long a finished request took, and when its first answer byte came (absent when none came). */
export interface RequestTiming {
  durationMs: number;
  firstAnswerMs?: number;
}
