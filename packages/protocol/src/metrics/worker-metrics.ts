/**
 * The worker's metrics (stats ports 12000…). Request and token counters and nanoTON earned are views
 * over WorkerStats's counters; the duration histogram is observed by WorkerStats when a request
 * ends. Engine availability, active requests, the proxy connection, attestation and chain lag are
 * attached by the runner once those parts exist.
 */
import type { Histogram } from 'prom-client';
import { REQUEST_DURATION_SECONDS_BUCKETS, flagValue, nanotonMetricValue, tokenSamples, type TokenTotals } from './metric-values.ts';
import { declareRunnerHealthMetrics, type RunnerHealthParts } from './runner-health-metrics.ts';
import { RunnerMetrics } from './runner-metrics.ts';

/** Cumulative request outcomes; `rejected` requests (over the active limit) never started. */
export interface WorkerRequestTotals {
  success: number;
  failed: number;
  rejected: number;
}

/** What WorkerStats counts. */
export interface WorkerCounterSource {
  requestTotals(): WorkerRequestTotals;
  /** Adjusted (billed) tokens per category. */
  tokenTotals(): TokenTotals;
  /** Billed tokens × the worker fee per token in force when each request ended. */
  earnedNanoton(): bigint;
}

export interface WorkerMetricsParts extends RunnerHealthParts {
  activeRequests(): number;
  maxActiveRequests: number;
  engineHealthy(): boolean;
  /** Taking requests: the engine is healthy and the operator has not disabled the worker. */
  enabled(): boolean;
  /** Proxy connections that are ready. */
  proxiesConnected(): number;
}

export class WorkerMetrics {
  readonly metrics: RunnerMetrics;
  private readonly duration: Histogram;
  private attached = false;

  constructor(counters: WorkerCounterSource, metrics = new RunnerMetrics()) {
    this.metrics = metrics;
    metrics.counterView(
      { name: 'cocoon_worker_requests_total', help: 'Requests from the proxy by result: success, failed, rejected (over the active-request limit).', labelNames: ['result'] },
      () => {
        const totals = counters.requestTotals();
        return (['success', 'failed', 'rejected'] as const).map((result) => ({ labels: { result }, value: totals[result] }));
      },
    );
    metrics.counterView({ name: 'cocoon_worker_tokens_total', help: 'Adjusted (billed) tokens by category (§5.1).', labelNames: ['category'] }, () => tokenSamples(counters.tokenTotals()));
    metrics.counterView({ name: 'cocoon_worker_earned_nanoton_total', help: 'nanoTON earned: billed tokens × the worker fee per token.' }, () => nanotonMetricValue(counters.earnedNanoton()));
    this.duration = metrics.histogram({ name: 'cocoon_worker_request_duration_seconds', help: 'Requests from arrival at the worker to the last answer byte (successful or not).', buckets: REQUEST_DURATION_SECONDS_BUCKETS });
  }

  observeRequest(durationSeconds: number): void {
    this.duration.observe(Math.max(0, durationSeconds));
  }

  /** Declares the views over the runner's parts (once). */
  attach(parts: WorkerMetricsParts): void {
    if (this.attached) return;
    this.attached = true;
    this.metrics.enableDefaultMetrics();
    const { metrics } = this;
    metrics.gaugeView({ name: 'cocoon_worker_active_requests', help: 'Requests being served now.' }, () => parts.activeRequests());
    metrics.gaugeView({ name: 'cocoon_worker_max_active_requests', help: 'The active-request limit (max_active_requests).' }, () => parts.maxActiveRequests);
    metrics.gaugeView({ name: 'cocoon_worker_engine_healthy', help: '1 when the inference engine answered its last health check.' }, () => flagValue(parts.engineHealthy()));
    metrics.gaugeView({ name: 'cocoon_worker_enabled', help: '1 when the worker takes requests (engine healthy and not disabled by the operator).' }, () => flagValue(parts.enabled()));
    metrics.gaugeView({ name: 'cocoon_worker_proxies_connected', help: 'Proxy connections that are ready.' }, () => parts.proxiesConnected());
    declareRunnerHealthMetrics(metrics, parts);
  }

  text(): Promise<string> {
    return this.metrics.text();
  }
}
