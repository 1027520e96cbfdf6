/**
 * The Prometheus naming conventions every COCOON metric follows, checked when a metric is declared
 * (and by the tests over a whole scrape): the `cocoon_` prefix, snake case, base units only and
 * spelled out as the last word (`_seconds`, `_bytes`, `_nanoton`; never `_ms`, `_kb`, `_ton`),
 * counters ending in `_total` (money as `_nanoton_total`), no `_total` on anything else, and label
 * names Prometheus accepts and does not reserve.
 */

export type MetricKind = 'counter' | 'gauge' | 'histogram';

export const METRIC_PREFIX = 'cocoon_';

/** Snake case under the prefix: `cocoon_proxy_requests_total`. */
export const METRIC_NAME_PATTERN = /^cocoon_[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

/** A label name Prometheus accepts, lower snake case. */
export const LABEL_NAME_PATTERN = /^[a-z][a-z0-9_]*$/;

/** Base units a name may end with (before `_total`). */
export const METRIC_UNITS = ['seconds', 'bytes', 'nanoton', 'tokens', 'ratio', 'info'] as const;

/** Words that mean a scaled or non-base unit: Prometheus wants base units (seconds, bytes; nanoTON is the chain's unit). */
const NON_BASE_UNITS = new Set(['ms', 'msec', 'millis', 'milliseconds', 'us', 'microseconds', 'ns', 'nanoseconds', 'minutes', 'hours', 'days',
  'kb', 'mb', 'gb', 'kib', 'mib', 'gib', 'kilobytes', 'megabytes', 'gigabytes', 'ton', 'percent', 'pct']);

/** Unit words that must be the name's last word (before `_total`). */
const TRAILING_UNITS = new Set(['seconds', 'bytes', 'nanoton']);

/** Labels Prometheus reserves or fills itself. */
const RESERVED_LABELS = new Set(['le', 'quantile', 'job', 'instance']);

/** Everything wrong with a metric name for its kind; empty when it follows the conventions. */
export function metricNameProblems(name: string, kind: MetricKind): string[] {
  const problems: string[] = [];
  if (!METRIC_NAME_PATTERN.test(name)) problems.push(`'${name}' is not lower snake case under the ${METRIC_PREFIX} prefix`);
  const words = name.split('_');
  const isTotal = words.at(-1) === 'total';
  if (kind === 'counter' && !isTotal) problems.push(`counter '${name}' must end in _total`);
  if (kind !== 'counter' && isTotal) problems.push(`${kind} '${name}' must not end in _total (only counters do)`);
  const base = isTotal ? words.slice(0, -1) : words;
  for (const word of base) if (NON_BASE_UNITS.has(word)) problems.push(`'${name}' uses the non-base unit '${word}' (use seconds, bytes or nanoton)`);
  base.forEach((word, index) => {
    if (TRAILING_UNITS.has(word) && index !== base.length - 1) problems.push(`'${name}': the unit '${word}' must be the last word${isTotal ? ' before _total' : ''}`);
  });
  if (kind === 'histogram' && !TRAILING_UNITS.has(base.at(-1) ?? '') && base.at(-1) !== 'tokens') problems.push(`histogram '${name}' must end in its unit (_seconds, _bytes, _tokens)`);
  return problems;
}

/** Everything wrong with a label name; empty when Prometheus takes it and does not reserve it. */
export function labelNameProblems(label: string): string[] {
  if (!LABEL_NAME_PATTERN.test(label)) return [`label '${label}' is not lower snake case`];
  if (RESERVED_LABELS.has(label)) return [`label '${label}' is reserved by Prometheus`];
  return [];
}
