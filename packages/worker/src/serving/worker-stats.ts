/** The worker's counters for `/jsonstats` (§8.3): requests and adjusted tokens served. */
import { ADJUSTED_TOKEN_COUNTERS, CounterSet, addAdjustedTokens } from '@cocoon/protocol';
import type { AdjustedTokens, DecayingCounterSnapshot } from '@cocoon/protocol';

const NAMES = ['queries', 'success', 'failed', 'rejected', 'time', ...ADJUSTED_TOKEN_COUNTERS] as const;

export class WorkerStats {
  private readonly counters: CounterSet<(typeof NAMES)[number]>;

  constructor(now: () => number) {
    this.counters = new CounterSet(now, NAMES);
  }

  started(): void {
    this.counters.add('queries');
  }

  rejected(): void {
    this.counters.add('rejected');
  }

  finished(success: boolean, tokens: AdjustedTokens, durationMs: number): void {
    this.counters.add(success ? 'success' : 'failed');
    this.counters.add('time', durationMs / 1000);
    addAdjustedTokens(this.counters, tokens);
  }

  json(): Record<string, DecayingCounterSnapshot> {
    return this.counters.json();
  }
}
