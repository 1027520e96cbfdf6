/**
 * The worker's `/jsonstats` pieces (§8.3): request/adjusted-token counters and the `proxies[]` rows.
 * The one place the worker counts: its Prometheus metrics (`metrics`) are views over these
 * counters, and the duration histogram is observed here when a request finishes.
 */
import { ADJUSTED_TOKEN_COUNTERS, CounterSet, WorkerMetrics, addAdjustedTokens, costNanoton } from '@cocoon/protocol';
import type { AdjustedTokens, DecayingCounterSnapshot } from '@cocoon/protocol';
import { sameAddress } from '@cocoon/ton';

const NAMES = ['queries', 'success', 'failed', 'rejected', 'time', ...ADJUSTED_TOKEN_COUNTERS] as const;

export class WorkerStats {
  private readonly counters: CounterSet<(typeof NAMES)[number]>;
  private earnedNanoton = 0n;
  /** `/metrics`: views over the counters below, plus the duration histogram. */
  readonly metrics: WorkerMetrics;

  /** `workerFeePerToken`: the fee in force now (§5.2), what one billed token earns; default none (0). */
  constructor(now: () => number, private readonly workerFeePerToken: () => bigint = () => 0n) {
    this.counters = new CounterSet(now, NAMES);
    const total = (name: (typeof NAMES)[number]) => this.counters.total(name);
    this.metrics = new WorkerMetrics({
      requestTotals: () => ({ success: total('success'), failed: total('failed'), rejected: total('rejected') }),
      tokenTotals: () => ({ prompt: total('prompt_adjusted_tokens_used'), cached: total('cached_adjusted_tokens_used'), completion: total('completion_adjusted_tokens_used'), reasoning: total('reasoning_adjusted_tokens_used') }),
      earnedNanoton: () => this.earnedNanoton,
    });
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
    this.earnedNanoton += costNanoton(tokens.total, this.workerFeePerToken());
    this.metrics.observeRequest(durationMs / 1000);
  }

  json(): Record<string, DecayingCounterSnapshot> {
    return this.counters.json();
  }
}

/** What /jsonstats needs of one proxy connection. */
export interface ProxyConnectionView {
  address: string;
  state: string;
  proxyContractAddress: string;
  workerContractAddress: string;
  earnedTokensCommittedToDb: bigint;
  earnedTokensMax: bigint;
}

/**
 * `/jsonstats` `proxies[]` (§8.3): one row per connection, merged on chain with the ledger row of
 * its proxy contract (sc_inited, earned_tokens_*, cached_out_tokens), plus ledger rows of proxy
 * contracts no connection points at any more. `ledgers` is undefined off chain.
 */
export function workerProxiesJson(connections: ProxyConnectionView[], ledgers: Record<string, unknown>[] | undefined): Record<string, unknown>[] {
  const rows = connections.map((connection) => {
    const base = {
      address: connection.address, state: connection.state,
      proxy_sc_address: connection.proxyContractAddress, sc_address: connection.workerContractAddress,
      earned_tokens_committed_to_proxy_db: connection.earnedTokensCommittedToDb, earned_tokens_max_known: connection.earnedTokensMax,
    };
    if (!ledgers) return base;
    const ledger = ledgers.find((row) => sameContract(row.proxy_sc_address, connection.proxyContractAddress));
    return { ...base, sc_inited: false, earned_tokens_committed_to_blockchain: 0n, cached_out_tokens: 0n, ...ledger };
  });
  const orphaned = (ledgers ?? []).filter((row) => !connections.some((connection) => sameContract(row.proxy_sc_address, connection.proxyContractAddress)));
  return [...rows, ...orphaned.map((row) => ({ address: null, state: 'not connected', ...row }))];
}

function sameContract(left: unknown, right: string): boolean {
  return typeof left === 'string' && left !== '' && right !== '' && sameAddress(left, right);
}
