/**
 * What the proxy's Prometheus views read besides ProxyStats's counters (see ProxyMetrics): the
 * ledger's money totals, requests in flight, workers per model, clients, certificate refreshes and,
 * on chain, how long ago the root contract was read.
 */
import { modelBaseName } from '@cocoon/protocol';
import type { ProxyMetricsParts, ProxyModelWorkers } from '@cocoon/protocol';
import type { RunnerAttestation } from '@cocoon/attestation';
import type { WorkerRegistry } from './routing/index.ts';
import type { ClientAccountRegistry } from './billing/index.ts';
import type { Ledger } from './ledger/index.ts';
import type { ProxyChainSetup } from './settlement/proxy-chain-setup.ts';

export interface ProxyMetricsInputs {
  registry: WorkerRegistry;
  /** The client accounts (replaced on a params migration). */
  book: { accounts: ClientAccountRegistry | undefined };
  ledger: Ledger;
  attestation: RunnerAttestation;
  onChain: ProxyChainSetup | undefined;
  now: () => number;
}

export function proxyMetricsParts(inputs: ProxyMetricsInputs): ProxyMetricsParts {
  const { registry, book, ledger, attestation, onChain, now } = inputs;
  const accounts = () => book.accounts?.list() ?? [];
  return {
    money: async () => {
      const summary = await ledger.summary();
      return { clientChargedNanoton: summary.clientPaidNanoton, workerEarnedNanoton: summary.workerEarnedNanoton, proxyCommissionNanoton: summary.proxyCommissionNanoton };
    },
    activeRequests: () => accounts().reduce((sum, account) => sum + account.runningRequests, 0),
    workers: () => workersByModel(registry),
    clients: () => accounts().length,
    certificateRefreshes: () => attestation.certificate.generation - 1,
    ...(onChain ? { chainSyncAgeSeconds: () => Math.max(0, (now() - onChain.watcher.lastSyncedAt) / 1000) } : {}),
  };
}

/** Connected and enabled connections per model base name, and those that can take a request now. */
function workersByModel(registry: WorkerRegistry): ProxyModelWorkers[] {
  const rows = new Map<string, ProxyModelWorkers>();
  const row = (model: string) => {
    let found = rows.get(model);
    if (!found) rows.set(model, (found = { model, connected: 0, enabled: 0, available: 0 }));
    return found;
  };
  for (const connection of registry.workerConnections()) {
    const entry = row(modelBaseName(connection.model));
    entry.connected += 1;
    if (connection.enabled) entry.enabled += 1;
  }
  for (const listing of registry.models()) {
    row(listing.id).available += listing.workers.filter((worker) => worker.runningRequests < worker.maxRunningRequests).length;
  }
  return [...rows.values()];
}
