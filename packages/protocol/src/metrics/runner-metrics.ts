/**
 * One runner's Prometheus metrics: its own prom-client Registry (never the global default one, so
 * several runners in one process or test keep separate counts), the default process metrics under
 * the `cocoon_` prefix, and declarations that enforce the naming conventions (metric-naming.ts).
 * Most COCOON metrics are views: `text()` first reads their values from the counters the runner's
 * stats objects already keep (one place counts), so nothing is counted twice. Histograms
 * are observed where a request ends. `text()` is the body of `GET /metrics`.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { CocoonError } from '../errors/error-table.ts';
import { labelNameProblems, metricNameProblems, type MetricKind } from './metric-naming.ts';

/** The Prometheus text exposition format, version 0.0.4. */
export const PROMETHEUS_TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** One sample of a view: label values (every declared label) and the value. */
export interface MetricSample {
  labels: Readonly<Record<string, string>>;
  value: number;
}

/** What a view reads at scrape time: one number (no labels) or one sample per label set. */
export type MetricRead = () => number | readonly MetricSample[] | Promise<number | readonly MetricSample[]>;

export interface MetricDeclaration {
  name: string;
  help: string;
  labelNames?: readonly string[];
}

export interface RunnerMetricsOptions {
  /** The default process and Node.js metrics (`cocoon_process_*`, `cocoon_nodejs_*`) from the start; default false (see enableDefaultMetrics). */
  defaultMetrics?: boolean;
}

/** What the stats HTTP servers need to answer `GET /metrics`. */
export interface MetricsEndpoint {
  readonly contentType: string;
  text(): Promise<string>;
}

export class RunnerMetrics implements MetricsEndpoint {
  readonly registry = new Registry();
  readonly contentType = PROMETHEUS_TEXT_CONTENT_TYPE;
  private readonly collectFailures: Counter;
  /** Reads every view into its metric (before each scrape). */
  private readonly views: Array<() => Promise<void>> = [];
  private defaultMetricsOn = false;

  constructor(options: RunnerMetricsOptions = {}) {
    if (options.defaultMetrics) this.enableDefaultMetrics();
    this.collectFailures = this.counter({
      name: 'cocoon_metrics_collect_failures_total', help: 'Scrapes in which reading a metric failed (the metric kept its last value).', labelNames: ['metric'],
    });
  }

  /**
   * Adds prom-client's default process and Node.js metrics under the `cocoon_` prefix (once). The
   * role metrics call it when a runner attaches its parts, so stats objects built in unit tests do
   * not start the event-loop monitor.
   */
  enableDefaultMetrics(): void {
    if (this.defaultMetricsOn) return;
    this.defaultMetricsOn = true;
    collectDefaultMetrics({ register: this.registry, prefix: 'cocoon_' });
  }

  /** A counter that is incremented where its event happens (prefer counterView over an existing counter). */
  counter(declaration: MetricDeclaration): Counter {
    return new Counter({ ...this.checked(declaration, 'counter'), registers: [this.registry] });
  }

  /** A histogram observed where its event happens; `buckets` in the metric's unit, ascending. */
  histogram(declaration: MetricDeclaration & { buckets: readonly number[] }): Histogram {
    return new Histogram({ ...this.checked(declaration, 'histogram'), buckets: [...declaration.buckets], registers: [this.registry] });
  }

  /** A counter whose value is read at scrape time from a cumulative total kept elsewhere. */
  counterView(declaration: MetricDeclaration, read: MetricRead): Counter {
    const counter = new Counter({ ...this.checked(declaration, 'counter'), registers: [this.registry] });
    this.views.push(async () => {
      const samples = await this.readSamples(declaration.name, read);
      if (!samples) return;
      counter.reset();
      for (const sample of samples) counter.inc(sample.labels, Math.max(0, sample.value));
    });
    return counter;
  }

  /** A gauge whose value is read at scrape time; a read that returns no samples leaves it without a value. */
  gaugeView(declaration: MetricDeclaration, read: MetricRead): Gauge {
    const gauge = new Gauge({ ...this.checked(declaration, 'gauge'), registers: [this.registry] });
    const labelled = (declaration.labelNames ?? []).length > 0;
    this.views.push(async () => {
      const samples = await this.readSamples(declaration.name, read);
      if (!samples) return;
      gauge.reset();
      if (samples.length === 0 && !labelled) gauge.remove(); // no value now: absent, not 0
      for (const sample of samples) gauge.set(sample.labels, sample.value);
    });
    return gauge;
  }

  /** The Prometheus text exposition of every metric of this runner; every view is read first. */
  async text(): Promise<string> {
    await Promise.all(this.views.map((refresh) => refresh()));
    return this.registry.metrics();
  }

  /** The samples of one view, or undefined when reading failed (counted; the metric keeps its last value). */
  private async readSamples(name: string, read: MetricRead): Promise<readonly MetricSample[] | undefined> {
    try {
      const value = await read();
      const samples = typeof value === 'number' ? [{ labels: {}, value }] : value;
      return samples.filter((sample) => Number.isFinite(sample.value));
    } catch {
      this.collectFailures.inc({ metric: name });
      return undefined;
    }
  }

  private checked(declaration: MetricDeclaration, kind: MetricKind): { name: string; help: string; labelNames: string[] } {
    const labelNames = [...(declaration.labelNames ?? [])];
    const problems = [...metricNameProblems(declaration.name, kind), ...labelNames.flatMap(labelNameProblems)];
    if (problems.length > 0) throw new CocoonError('CCN_ERR_INTERNAL', `metric declaration breaks the naming conventions: ${problems.join('; ')}`, { param: declaration.name });
    return { name: declaration.name, help: declaration.help, labelNames };
  }
}
