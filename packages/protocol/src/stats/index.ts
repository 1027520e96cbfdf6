/** Decaying stats counters shared by all runners (§8.3 `/jsonstats`). */
export { ExponentialDecay, type MillisecondClock } from './exponential-decay.ts';
export { DecayingCounter, DECAYING_COUNTER_WINDOWS_SECONDS, type DecayingCounterSnapshot } from './decaying-counter.ts';
export { DecayingAverage, type DecayingAverageOptions } from './decaying-average.ts';
export { CounterSet, addAdjustedTokens, ADJUSTED_TOKEN_COUNTERS, type AdjustedTokenCounterName } from './counter-set.ts';
