/**
 * Benchmark statistics: percentiles (nearest rank) of one load run's samples, and the
 * readable result table.
 */

export interface LoadSamples {
  /** Whole-request latencies (request sent → last body byte), ms, successful requests only. */
  latenciesMs: number[];
  /** Time to the first body byte, ms, successful requests only. */
  ttftMs: number[];
  /** Paced shapes only: per content chunk, arrival − its scheduled offset (ms). */
  chunkLateMs?: number[];
  failures: number;
  /** First few failure descriptions, for the report. */
  failureExamples: string[];
  elapsedMs: number;
}

export interface LoadSummary {
  requests: number;
  failures: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  ttftP50Ms: number;
  ttftP99Ms: number;
  /** Paced shapes only (else NaN): chunk lateness against the schedule, p50 and p99. */
  chunkLateP50Ms: number;
  chunkLateP99Ms: number;
  requestsPerSecond: number;
  failureExamples: string[];
}

/** Nearest-rank percentile of an ascending array; NaN when empty. */
export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(fraction * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

const round = (value: number, digits: number): number => {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
};

export function summarizeLoad(samples: LoadSamples): LoadSummary {
  const latencies = [...samples.latenciesMs].sort((a, b) => a - b);
  const ttft = [...samples.ttftMs].sort((a, b) => a - b);
  const late = [...(samples.chunkLateMs ?? [])].sort((a, b) => a - b);
  const requests = latencies.length + samples.failures;
  return {
    requests,
    failures: samples.failures,
    p50Ms: round(percentile(latencies, 0.5), 3),
    p90Ms: round(percentile(latencies, 0.9), 3),
    p99Ms: round(percentile(latencies, 0.99), 3),
    ttftP50Ms: round(percentile(ttft, 0.5), 3),
    ttftP99Ms: round(percentile(ttft, 0.99), 3),
    chunkLateP50Ms: round(percentile(late, 0.5), 3),
    chunkLateP99Ms: round(percentile(late, 0.99), 3),
    requestsPerSecond: samples.elapsedMs > 0 ? round((latencies.length * 1000) / samples.elapsedMs, 1) : 0,
    failureExamples: samples.failureExamples,
  };
}

export interface TableRow {
  target: string;
  concurrency: number;
  summary: LoadSummary;
}

export function formatTable(rows: readonly TableRow[]): string {
  const header = ['target', 'conc', 'requests', 'fail', 'p50 ms', 'p90 ms', 'p99 ms', 'ttft p50', 'req/s'];
  const lines = rows.map((row) => [
    row.target,
    String(row.concurrency),
    String(row.summary.requests),
    String(row.summary.failures),
    row.summary.p50Ms.toFixed(2),
    row.summary.p90Ms.toFixed(2),
    row.summary.p99Ms.toFixed(2),
    row.summary.ttftP50Ms.toFixed(2),
    row.summary.requestsPerSecond.toFixed(0),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => (line[column] ?? '').length)));
  const format = (cells: string[]): string => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0))).join('  ');
  return [format(header), widths.map((width) => '-'.repeat(width)).join('  '), ...lines.map(format)].join('\n');
}
