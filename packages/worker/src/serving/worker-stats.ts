/** The worker's counters for `/jsonstats` (§8.3): requests and adjusted tokens served. */
import { DecayingCounter } from '@cocoon/protocol';
import type { AdjustedTokens } from '@cocoon/protocol';

export class WorkerStats {
  private readonly counters;

  constructor(now: () => number) {
    const counter = () => new DecayingCounter(now);
    this.counters = {
      queries: counter(), success: counter(), failed: counter(), rejected: counter(), time: counter(),
      total_adjusted_tokens_used: counter(), prompt_adjusted_tokens_used: counter(), cached_adjusted_tokens_used: counter(),
      completion_adjusted_tokens_used: counter(), reasoning_adjusted_tokens_used: counter(),
    };
  }

  started(): void {
    this.counters.queries.add();
  }

  rejected(): void {
    this.counters.rejected.add();
  }

  finished(success: boolean, tokens: AdjustedTokens, durationMs: number): void {
    (success ? this.counters.success : this.counters.failed).add();
    this.counters.time.add(durationMs / 1000);
    this.counters.total_adjusted_tokens_used.add(tokens.total);
    this.counters.prompt_adjusted_tokens_used.add(tokens.prompt);
    this.counters.cached_adjusted_tokens_used.add(tokens.cached);
    this.counters.completion_adjusted_tokens_used.add(tokens.completion);
    this.counters.reasoning_adjusted_tokens_used.add(tokens.reasoning);
  }

  json(): Record<string, number[]> {
    return Object.fromEntries(Object.entries(this.counters).map(([name, counter]) => [name, counter.snapshot()]));
  }
}
