/** Prometheus metrics of every runner (`GET /metrics`): per-runner registries, naming conventions, the role metrics. */
export { RunnerMetrics, PROMETHEUS_TEXT_CONTENT_TYPE, type MetricsEndpoint, type MetricSample, type MetricRead, type MetricDeclaration, type RunnerMetricsOptions } from './runner-metrics.ts';
export { metricNameProblems, labelNameProblems, METRIC_NAME_PATTERN, METRIC_PREFIX, METRIC_UNITS, type MetricKind } from './metric-naming.ts';
export {
  nanotonMetricValue, flagValue, tokenSamples, REQUEST_DURATION_SECONDS_BUCKETS, FIRST_ANSWER_SECONDS_BUCKETS, TOKEN_CATEGORIES, type TokenCategory, type TokenTotals, type RequestTiming,
} from './metric-values.ts';
export { declareRunnerHealthMetrics, type RunnerHealthParts } from './runner-health-metrics.ts';
export { ProxyMetrics, type ProxyCounterSource, type ProxyRequestTotals, type ProxyModelWorkers, type ProxyMoneyTotals, type ProxyMetricsParts } from './proxy-metrics.ts';
export { WorkerMetrics, type WorkerCounterSource, type WorkerRequestTotals, type WorkerMetricsParts } from './worker-metrics.ts';
export { ClientMetrics, type ClientCounterSource, type ClientMetricsParts } from './client-metrics.ts';
export { KeyManagerMetrics, createKeyManagerMetrics, type KeyManagerMetricsParts, type KeyRequestPeerRole, type KeyRequestResult } from './key-manager-metrics.ts';
