/**
 * The proxy's counters and its `/jsonstats` document (§8.3 fields that exist before the
 * chain does): request outcomes, adjusted token totals, worker connections, clients.
 */
import { DecayingCounter } from '@cocoon/protocol';
import type { AdjustedTokens } from '@cocoon/protocol';
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
  imageHash: string;
}

export class ProxyStats implements ProxyRequestStats {
  private readonly counters;

  constructor(now: () => number) {
    const counter = () => new DecayingCounter(now);
    this.counters = {
      queries: counter(), success: counter(), failed: counter(), rejected: counter(), retried: counter(),
      connections_rejected: counter(),
      total_adjusted_tokens_used: counter(), prompt_adjusted_tokens_used: counter(), cached_adjusted_tokens_used: counter(),
      completion_adjusted_tokens_used: counter(), reasoning_adjusted_tokens_used: counter(),
    };
  }

  rejected(): void {
    this.counters.rejected.add();
  }

  retried(): void {
    this.counters.retried.add();
  }

  finished(success: boolean): void {
    this.counters.queries.add();
    (success ? this.counters.success : this.counters.failed).add();
  }

  connectionRejected(): void {
    this.counters.connections_rejected.add();
  }

  tokens(tokens: AdjustedTokens): void {
    this.counters.total_adjusted_tokens_used.add(tokens.total);
    this.counters.prompt_adjusted_tokens_used.add(tokens.prompt);
    this.counters.cached_adjusted_tokens_used.add(tokens.cached);
    this.counters.completion_adjusted_tokens_used.add(tokens.completion);
    this.counters.reasoning_adjusted_tokens_used.add(tokens.reasoning);
  }

  json(sources: ProxyStatsSources): Record<string, unknown> {
    const { config, registry, accounts, ledgerSummary } = sources;
    const stats = Object.fromEntries(Object.entries(this.counters).map(([name, counter]) => [name, counter.snapshot()]));
    return {
      status: { actual_image_hash: sources.imageHash, enabled: true, ton_last_synced_at: null, chain: 'none (TON settlement not wired yet)' },
      stats,
      localconfig: { owner_address: config.owner_address, check_worker_hashes: false, worker_policy: config.worker_policy, is_test: config.is_test },
      prices: { price_per_token: config.price_per_token, worker_fee_per_token: config.worker_fee_per_token },
      ledger: {
        requests: ledgerSummary.requests,
        tokens: ledgerSummary.tokens,
        client_paid_nanoton: ledgerSummary.clientPaidNanoton,
        worker_earned_nanoton: ledgerSummary.workerEarnedNanoton,
        proxy_commission_nanoton: ledgerSummary.proxyCommissionNanoton,
      },
      worker_connections: registry.workerConnections(),
      clients: accounts.list().map((account) => account.stats()),
    };
  }
}
