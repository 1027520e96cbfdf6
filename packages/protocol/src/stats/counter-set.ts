/** A named set of DecayingCounters, serialized as `/jsonstats` `stats` (§8.3). */
import { DecayingCounter } from './decaying-counter.ts';
import type { DecayingCounterSnapshot } from './decaying-counter.ts';
import type { MillisecondClock } from './exponential-decay.ts';

export class CounterSet<Name extends string> {
  private readonly counters = new Map<Name, DecayingCounter>();

  constructor(now: MillisecondClock, names: readonly Name[]) {
    for (const name of names) this.counters.set(name, new DecayingCounter(now));
  }

  add(name: Name, value = 1): void {
    this.counters.get(name)?.add(value);
  }

  /** The cumulative (undecayed) total of one counter: what the Prometheus counter views read. */
  total(name: Name): number {
    return this.counters.get(name)?.totalValue() ?? 0;
  }

  json(): Record<Name, DecayingCounterSnapshot> {
    return Object.fromEntries([...this.counters].map(([name, counter]) => [name, counter.snapshot()])) as Record<Name, DecayingCounterSnapshot>;
  }
}

/** Adds the adjusted token categories of one request to the `*_adjusted_tokens_used` counters. */
export function addAdjustedTokens(set: { add(name: AdjustedTokenCounterName, value: number): void }, tokens: { prompt: number; cached: number; completion: number; reasoning: number; total: number }): void {
  set.add('total_adjusted_tokens_used', tokens.total);
  set.add('prompt_adjusted_tokens_used', tokens.prompt);
  set.add('cached_adjusted_tokens_used', tokens.cached);
  set.add('completion_adjusted_tokens_used', tokens.completion);
  set.add('reasoning_adjusted_tokens_used', tokens.reasoning);
}

export const ADJUSTED_TOKEN_COUNTERS = [
  'total_adjusted_tokens_used', 'prompt_adjusted_tokens_used', 'cached_adjusted_tokens_used',
  'completion_adjusted_tokens_used', 'reasoning_adjusted_tokens_used',
] as const;

export type AdjustedTokenCounterName = (typeof ADJUSTED_TOKEN_COUNTERS)[number];
