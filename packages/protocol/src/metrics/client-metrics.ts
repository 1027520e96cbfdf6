/**
 * The client's metrics (API and stats port 10000). Request, byte and token counters and nanoTON
 * spent are views over ClientStats's counters; the duration histogram is observed by ClientStats
 * when a request ends. The proxy connections and chain lag are attached by the runner.
 */
import type { Histogram } from 'prom-client';
import { REQUEST_DURATION_SECONDS_BUCKETS, nanotonMetricValue } from './metric-values.ts';
import { declareRunnerHealthMetrics, type RunnerHealthParts } from './runner-health-metrics.ts';
import { RunnerMetrics } from './runner-metrics.ts';

/** What ClientStats counts. */
export interface ClientCounterSource {
  requestTotals(): { started: number; success: number; failed: number };
  bytesTotals(): { sent: number; received: number };
  /** Adjusted tokens the proxy reported (total only: the client sees no categories). */
  tokens(): bigint;
  /** Tokens × the price per token in force when each request started. */
  spentNanoton(): bigint;
}

export interface ClientMetricsParts extends Omit<RunnerHealthParts, 'certificateRefreshes'> {
  /** Proxy connections that are ready, and how many are configured. */
  proxyConnections(): { ready: number; configured: number };
}

export class ClientMetrics {
  readonly metrics: RunnerMetrics;
  private readonly duration: Histogram;
  private attached = false;

  constructor(counters: ClientCounterSource, metrics = new RunnerMetrics()) {
    this.metrics = metrics;
    metrics.counterView(
      { name: 'cocoon_client_requests_total', help: 'Inference requests sent to the proxy by result: success, failed.', labelNames: ['result'] },
      () => {
        const totals = counters.requestTotals();
        return [{ labels: { result: 'success' }, value: totals.success }, { labels: { result: 'failed' }, value: totals.failed }];
      },
    );
    metrics.gaugeView({ name: 'cocoon_client_active_requests', help: 'Requests sent and not finished yet.' }, () => {
      const totals = counters.requestTotals();
      return Math.max(0, totals.started - totals.success - totals.failed);
    });
    metrics.counterView({ name: 'cocoon_client_sent_bytes_total', help: 'Request bytes sent to the proxy (encoded HTTP requests).' }, () => counters.bytesTotals().sent);
    metrics.counterView({ name: 'cocoon_client_received_bytes_total', help: 'Answer bytes received from the proxy.' }, () => counters.bytesTotals().received);
    metrics.counterView({ name: 'cocoon_client_tokens_total', help: 'Adjusted (billed) tokens the proxy reported.' }, () => Number(counters.tokens()));
    metrics.counterView({ name: 'cocoon_client_spent_nanoton_total', help: 'nanoTON spent: billed tokens × the price per token.' }, () => nanotonMetricValue(counters.spentNanoton()));
    this.duration = metrics.histogram({ name: 'cocoon_client_request_duration_seconds', help: 'Inference requests from sending to the final answer (successful or not).', buckets: REQUEST_DURATION_SECONDS_BUCKETS });
  }

  observeRequest(durationSeconds: number): void {
    this.duration.observe(Math.max(0, durationSeconds));
  }

  /** Declares the views over the runner's parts (once). */
  attach(parts: ClientMetricsParts): void {
    if (this.attached) return;
    this.attached = true;
    this.metrics.enableDefaultMetrics();
    this.metrics.gaugeView({ name: 'cocoon_client_proxies_connected', help: 'Proxy connections that are ready.' }, () => parts.proxyConnections().ready);
    this.metrics.gaugeView({ name: 'cocoon_client_proxy_connections', help: 'Proxy connections configured (proxy_connections).' }, () => parts.proxyConnections().configured);
    declareRunnerHealthMetrics(this.metrics, parts);
  }

  text(): Promise<string> {
    return this.metrics.text();
  }
}
