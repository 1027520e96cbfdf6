/**
 * The client's counters for `/jsonstats` (§8.3) — `success` counts successes (the reference bug is
 * not copied). The one place the client counts: its Prometheus metrics (`metrics`) are views over
 * these counters, and the duration histogram is observed here when a request finishes.
 */
import { ClientMetrics, CounterSet } from '@cocoon/protocol';

const NAMES = ['queries', 'success', 'failed', 'bytes_received', 'bytes_sent'] as const;

export class ClientStats {
  private readonly counters: CounterSet<(typeof NAMES)[number]>;
  private tokens = 0n;
  private spentNanoton = 0n;
  /** `/metrics`: views over the counters below, plus the duration histogram. */
  readonly metrics: ClientMetrics;

  constructor(private readonly now: () => number) {
    this.counters = new CounterSet(now, NAMES);
    const total = (name: (typeof NAMES)[number]) => this.counters.total(name);
    this.metrics = new ClientMetrics({
      requestTotals: () => ({ started: total('queries'), success: total('success'), failed: total('failed') }),
      bytesTotals: () => ({ sent: total('bytes_sent'), received: total('bytes_received') }),
      tokens: () => this.tokens,
      spentNanoton: () => this.spentNanoton,
    });
  }

  queryStarted(bytesSent: number): void {
    this.counters.add('queries');
    this.counters.add('bytes_sent', bytesSent);
  }

  bytesReceived(bytes: number): void {
    this.counters.add('bytes_received', bytes);
  }

  /** `request`: when it started (this clock) and the price per token it is billed at (§5.2), for the metrics. */
  queryFinished(success: boolean, tokens: bigint, request?: { startedAt: number; pricePerToken: bigint }): void {
    this.counters.add(success ? 'success' : 'failed');
    this.tokens += tokens;
    if (!request) return;
    this.spentNanoton += tokens * request.pricePerToken;
    this.metrics.observeRequest((this.now() - request.startedAt) / 1000);
  }

  json(): Record<string, unknown> {
    return { ...this.counters.json(), adjusted_tokens_used: this.tokens };
  }
}
