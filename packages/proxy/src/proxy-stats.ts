/**
 * The proxy's counters and its `/jsonstats` document (§8.3 fields that exist before the
 * chain does): request outcomes, adjusted token totals, worker connections, clients. The one place
 * the proxy counts: its Prometheus metrics (`metrics`) are views over these counters, and the
 * latency histograms are observed here when a request finishes.
 */
import { ADJUSTED_TOKEN_COUNTERS, CounterSet, ProxyMetrics, addAdjustedTokens } from '@cocoon/protocol';
import type { AdjustedTokens, NetworkParams, RequestTiming } from '@cocoon/protocol';
import type { ProxyConfig } from './config/index.ts';
import type { WorkerRegistry } from './routing/index.ts';
import type { ClientAccountRegistry } from './billing/index.ts';
import type { LedgerSummary } from './ledger/index.ts';
import type { ProxyRequestStats } from './requests/proxy-request-context.ts';

export interface ProxyStatsSources {
  config: ProxyConfig;
  registry: WorkerRegistry;
  accounts: ClientAccountRegistry;
  ledgerSummary: LedgerSummary;
  /** The prices billed now (on chain: the served contracts' params). */
  params: NetworkParams;
  /** This proxy's attestation: tee, own image hash, trust anchor, whether worker hashes are checked against the root. */
  attestation: { tee: string; image_hash: string; trust: 'intel' | 'dev'; hash_checks: boolean };
  /** On chain: wallet, proxy contract, save-state (absent off chain). */
  chain?: Record<string, unknown> | undefined;
  /** Per worker connection id: whether it announced end-to-end keys (§22) and how many (no key material). */
  e2e?: (connectionId: string) => { e2e: boolean; e2e_keys: number };
}

const NAMES = ['queries', 'success', 'failed', 'rejected', 'retried', 'connections_rejected', ...ADJUSTED_TOKEN_COUNTERS] as const;

export class ProxyStats implements ProxyRequestStats {
  private readonly counters: CounterSet<(typeof NAMES)[number]>;
  /** `/metrics`: views over the counters below, plus the latency histograms. */
  readonly metrics: ProxyMetrics;

  constructor(now: () => number) {
    this.counters = new CounterSet(now, NAMES);
    const total = (name: (typeof NAMES)[number]) => this.counters.total(name);
    this.metrics = new ProxyMetrics({
      requestTotals: () => ({ success: total('success'), failed: total('failed'), rejected: total('rejected'), retried: total('retried'), connectionsRejected: total('connections_rejected') }),
      tokenTotals: () => ({ prompt: total('prompt_adjusted_tokens_used'), cached: total('cached_adjusted_tokens_used'), completion: total('completion_adjusted_tokens_used'), reasoning: total('reasoning_adjusted_tokens_used') }),
    });
  }

  rejected(): void {
    this.counters.add('rejected');
  }

  retried(): void {
    this.counters.add('retried');
  }

  finished(success: boolean, timing?: RequestTiming): void {
    this.counters.add('queries');
    this.counters.add(success ? 'success' : 'failed');
    if (timing) this.metrics.observeRequest(timing.durationMs / 1000, timing.firstAnswerMs === undefined ? undefined : timing.firstAnswerMs / 1000);
  }

  connectionRejected(): void {
    this.counters.add('connections_rejected');
  }

  tokens(tokens: AdjustedTokens): void {
    addAdjustedTokens(this.counters, tokens);
  }

  json(sources: ProxyStatsSources): Record<string, unknown> {
    const { config, registry, accounts, ledgerSummary, params } = sources;
    const stats = this.counters.json();
    return {
      status: {
        actual_image_hash: sources.attestation.image_hash, tee: sources.attestation.tee, attestation_trust: sources.attestation.trust,
        enabled: true, chain: sources.chain ? 'ton' : 'none (off chain, dev only)',
      },
      ...(sources.chain ?? {}),
      stats,
      localconfig: { owner_address: config.owner_address, check_worker_hashes: sources.attestation.hash_checks, worker_policy: config.worker_policy, client_policy: config.client_policy, is_test: config.is_test },
      prices: { price_per_token: params.pricePerToken, worker_fee_per_token: params.workerFeePerToken, multipliers: params.multipliers },
      ledger: {
        requests: ledgerSummary.requests,
        tokens: ledgerSummary.tokens,
        client_paid_nanoton: ledgerSummary.clientPaidNanoton,
        worker_earned_nanoton: ledgerSummary.workerEarnedNanoton,
        proxy_commission_nanoton: ledgerSummary.proxyCommissionNanoton,
      },
      worker_connections: registry.workerConnections().map((worker) => ({ ...worker, ...sources.e2e?.(worker.connection_id) })),
      clients: accounts.list().map((account) => account.stats()),
    };
  }
}
