/** The client's counters for `/jsonstats` (§8.3) — `success` counts successes (the reference bug is not copied). */
import { DecayingCounter } from '@cocoon/protocol';

export class ClientStats {
  private readonly counters;
  private tokens = 0n;

  constructor(now: () => number) {
    const counter = () => new DecayingCounter(now);
    this.counters = { queries: counter(), success: counter(), failed: counter(), bytes_received: counter(), bytes_sent: counter() };
  }

  queryStarted(bytesSent: number): void {
    this.counters.queries.add();
    this.counters.bytes_sent.add(bytesSent);
  }

  bytesReceived(bytes: number): void {
    this.counters.bytes_received.add(bytes);
  }

  queryFinished(success: boolean, tokens: bigint): void {
    (success ? this.counters.success : this.counters.failed).add();
    this.tokens += tokens;
  }

  json(): Record<string, unknown> {
    return { ...Object.fromEntries(Object.entries(this.counters).map(([name, counter]) => [name, counter.snapshot()])), adjusted_tokens_used: this.tokens };
  }
}
