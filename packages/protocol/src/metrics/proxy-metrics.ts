/**
 * The proxy's metrics (stats port 11000). Request and token counters are views over ProxyStats's
 * counters; money is read from the ledger's summary (durable, so it survives restarts); the
 * latency histograms are observed by ProxyStats when a request ends. The rest (active streams,
 * workers, attestation, chain lag) is attached by the runner once those parts exist.
 */
import type { Histogram } from 'prom-client';
import { FIRST_ANSWER_SECONDS_BUCKETS, REQUEST_DURATION_SECONDS_BUCKETS, nanotonMetricValue, tokenSamples, type TokenTotals } from './metric-values.ts';
import { declareRunnerHealthMetrics, type RunnerHealthParts } from './runner-health-metrics.ts';
import { RunnerMetrics, type MetricSample } from './runner-metrics.ts';

/** Cumulative request outcomes. `rejected` ⊂ `failed` in ProxyStats: refused before a worker got the request. */
export interface ProxyRequestTotals {
  success: number;
  failed: number;
  rejected: number;
  retried: number;
  connectionsRejected: number;
}

/** What ProxyStats counts. */
export interface ProxyCounterSource {
  requestTotals(): ProxyRequestTotals;
  /** Adjusted (billed) tokens per category. */
  tokenTotals(): TokenTotals;
}

/** One model's workers as the registry sees them (model base name). */
export interface ProxyModelWorkers {
  model: string;
  connected: number;
  enabled: number;
  /** Enabled and below their active-request limit. */
  available: number;
}

export interface ProxyMoneyTotals {
  clientChargedNanoton: bigint;
  workerEarnedNanoton: bigint;
  proxyCommissionNanoton: bigint;
}

/** The runner's parts the remaining views read. */
export interface ProxyMetricsParts extends RunnerHealthParts {
  money(): Promise<ProxyMoneyTotals>;
  /** Requests being answered now (reserved, not yet finished). */
  activeRequests(): number;
  workers(): readonly ProxyModelWorkers[];
  clients(): number;
}

export class ProxyMetrics {
  readonly metrics: RunnerMetrics;
  private readonly duration: Histogram;
  private readonly firstAnswer: Histogram;
  private attached = false;

  constructor(counters: ProxyCounterSource, metrics = new RunnerMetrics()) {
    this.metrics = metrics;
    metrics.counterView(
      { name: 'cocoon_proxy_requests_total', help: 'Client requests by result: success, failed (after reaching a worker), rejected (refused before any worker: admission, no worker, reservation).', labelNames: ['result'] },
      () => {
        const totals = counters.requestTotals();
        return [
          { labels: { result: 'success' }, value: totals.success },
          { labels: { result: 'failed' }, value: totals.failed - totals.rejected },
          { labels: { result: 'rejected' }, value: totals.rejected },
        ];
      },
    );
    metrics.counterView({ name: 'cocoon_proxy_request_retries_total', help: 'Requests forwarded again to another worker after a failure before the first answer byte.' }, () => counters.requestTotals().retried);
    metrics.counterView({ name: 'cocoon_proxy_connections_rejected_total', help: 'Worker and client connections refused at the front door (PoW, TLS, attestation, authorization deadline).' }, () => counters.requestTotals().connectionsRejected);
    metrics.counterView({ name: 'cocoon_proxy_tokens_total', help: 'Adjusted (billed) tokens by category (§5.1).', labelNames: ['category'] }, () => tokenSamples(counters.tokenTotals()));
    this.duration = metrics.histogram({ name: 'cocoon_proxy_request_duration_seconds', help: 'Client requests from arrival to the final answer (successful or not).', buckets: REQUEST_DURATION_SECONDS_BUCKETS });
    this.firstAnswer = metrics.histogram({ name: 'cocoon_proxy_time_to_first_answer_seconds', help: 'From arrival to the first answer byte from a worker (time to first token of a streamed answer).', buckets: FIRST_ANSWER_SECONDS_BUCKETS });
  }

  /** One finished request: its duration and, when a worker answered, the time to its first answer byte. */
  observeRequest(durationSeconds: number, firstAnswerSeconds?: number): void {
    this.duration.observe(Math.max(0, durationSeconds));
    if (firstAnswerSeconds !== undefined) this.firstAnswer.observe(Math.max(0, firstAnswerSeconds));
  }

  /** Declares the views over the runner's parts (once). */
  attach(parts: ProxyMetricsParts): void {
    if (this.attached) return;
    this.attached = true;
    this.metrics.enableDefaultMetrics();
    const { metrics } = this;
    metrics.counterView({ name: 'cocoon_proxy_client_charged_nanoton_total', help: 'nanoTON charged to clients (ledger total).' }, async () => nanotonMetricValue((await parts.money()).clientChargedNanoton));
    metrics.counterView({ name: 'cocoon_proxy_worker_owed_nanoton_total', help: 'nanoTON earned by workers, owed to them by this proxy (ledger total).' }, async () => nanotonMetricValue((await parts.money()).workerEarnedNanoton));
    metrics.counterView({ name: 'cocoon_proxy_commission_nanoton_total', help: 'nanoTON kept by this proxy: charged minus owed (ledger total).' }, async () => nanotonMetricValue((await parts.money()).proxyCommissionNanoton));
    metrics.gaugeView({ name: 'cocoon_proxy_active_streams', help: 'Client requests being answered now.' }, () => parts.activeRequests());
    const byModel = (pick: (row: ProxyModelWorkers) => number) => (): MetricSample[] => parts.workers().map((row) => ({ labels: { model: row.model }, value: pick(row) }));
    metrics.gaugeView({ name: 'cocoon_proxy_workers_connected', help: 'Worker connections by model.', labelNames: ['model'] }, byModel((row) => row.connected));
    metrics.gaugeView({ name: 'cocoon_proxy_workers_enabled', help: 'Enabled worker connections by model.', labelNames: ['model'] }, byModel((row) => row.enabled));
    metrics.gaugeView({ name: 'cocoon_proxy_workers_available', help: 'Workers that can take one more request now (enabled, below their limit), by model.', labelNames: ['model'] }, byModel((row) => row.available));
    metrics.gaugeView({ name: 'cocoon_proxy_models_available', help: 'Models with at least one available worker.' }, () => parts.workers().filter((row) => row.available > 0).length);
    metrics.gaugeView({ name: 'cocoon_proxy_clients', help: 'Client accounts this proxy holds.' }, () => parts.clients());
    declareRunnerHealthMetrics(metrics, parts);
  }

  text(): Promise<string> {
    return this.metrics.text();
  }
}
