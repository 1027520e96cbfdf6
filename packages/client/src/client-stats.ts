/** The client's counters for `/jsonstats` (§8.3) — `success` counts successes (the reference bug is not copied). */
import { CounterSet } from '@cocoon/protocol';

const NAMES = ['queries', 'success', 'failed', 'bytes_received', 'bytes_sent'] as const;

export class ClientStats {
  private readonly counters: CounterSet<(typeof NAMES)[number]>;
  private tokens = 0n;

  constructor(now: () => number) {
    this.counters = new CounterSet(now, NAMES);
  }

  queryStarted(bytesSent: number): void {
    this.counters.add('queries');
    this.counters.add('bytes_sent', bytesSent);
  }

  bytesReceived(bytes: number): void {
    this.counters.add('bytes_received', bytes);
  }

  queryFinished(success: boolean, tokens: bigint): void {
    this.counters.add(success ? 'success' : 'failed');
    this.tokens += tokens;
  }

  json(): Record<string, unknown> {
    return { ...this.counters.json(), adjusted_tokens_used: this.tokens };
  }
}
