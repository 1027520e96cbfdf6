/**
 * The metrics module: the naming conventions (and that a declaration breaking them is refused),
 * views over existing counters (read at scrape time, never counted twice), separate registries for
 * two runners in one process, a failing read that keeps the last value and is counted, a gauge
 * without a value that is absent rather than 0, and nanoTON exact up to 2^53.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePrometheusText } from '@cocoon/test-support';
import {
  CocoonError, PROMETHEUS_TEXT_CONTENT_TYPE, ProxyMetrics, RunnerMetrics, WorkerMetrics, createKeyManagerMetrics, labelNameProblems, metricNameProblems, nanotonMetricValue,
  type ProxyRequestTotals,
} from '../../src/index.ts';

const TOKENS = { prompt: 0, cached: 0, completion: 0, reasoning: 0 };

describe('metric naming conventions', () => {
  test('names that follow them', () => {
    for (const [name, kind] of [
      ['cocoon_proxy_requests_total', 'counter'], ['cocoon_proxy_client_charged_nanoton_total', 'counter'], ['cocoon_proxy_request_duration_seconds', 'histogram'],
      ['cocoon_worker_active_requests', 'gauge'], ['cocoon_chain_root_sync_age_seconds', 'gauge'], ['cocoon_client_sent_bytes_total', 'counter'],
    ] as const) assert.deepEqual(metricNameProblems(name, kind), [], name);
  });

  test('names that break them, each with a reason', () => {
    for (const [name, kind, reason] of [
      ['proxy_requests_total', 'counter', /prefix/], ['cocoon_Proxy_requests_total', 'counter', /snake case/], ['cocoon_proxy_requests', 'counter', /must end in _total/],
      ['cocoon_active_total', 'gauge', /must not end in _total/], ['cocoon_request_duration_ms', 'histogram', /non-base unit 'ms'/],
      ['cocoon_earned_ton_total', 'counter', /non-base unit 'ton'/], ['cocoon_seconds_request_duration', 'gauge', /must be the last word/],
      ['cocoon_nanoton_charged_total', 'counter', /must be the last word before _total/], ['cocoon_request_duration', 'histogram', /must end in its unit/],
      ['cocoon_size_kb', 'gauge', /non-base unit 'kb'/],
    ] as const) {
      const problems = metricNameProblems(name, kind);
      assert.ok(problems.some((problem) => reason.test(problem)), `${name}: ${problems.join('; ')}`);
    }
    assert.deepEqual(labelNameProblems('result'), []);
    assert.match(labelNameProblems('le')[0]!, /reserved/);
    assert.match(labelNameProblems('Model')[0]!, /snake case/);
  });

  test('a declaration that breaks them is refused with CCN_ERR_INTERNAL naming the metric', () => {
    const metrics = new RunnerMetrics();
    assert.throws(() => metrics.counter({ name: 'cocoon_requests', help: 'x' }), (error: unknown) => error instanceof CocoonError && error.code === 'CCN_ERR_INTERNAL' && /cocoon_requests/.test(error.message));
    assert.throws(() => metrics.gaugeView({ name: 'cocoon_load', help: 'x', labelNames: ['quantile'] }, () => 1), /reserved/);
  });
});

describe('RunnerMetrics', () => {
  test('views read the counters kept elsewhere at scrape time; the text is Prometheus 0.0.4', async () => {
    const totals: ProxyRequestTotals = { success: 0, failed: 0, rejected: 0, retried: 0, connectionsRejected: 0 };
    const proxy = new ProxyMetrics({ requestTotals: () => totals, tokenTotals: () => ({ ...TOKENS, prompt: 7 }) });
    assert.equal(proxy.metrics.contentType, PROMETHEUS_TEXT_CONTENT_TYPE);
    assert.match(PROMETHEUS_TEXT_CONTENT_TYPE, /^text\/plain; version=0\.0\.4/);
    let scrape = parsePrometheusText(await proxy.text());
    assert.equal(scrape.value('cocoon_proxy_requests_total', { result: 'success' }), 0);
    Object.assign(totals, { success: 3, failed: 2, rejected: 1, retried: 4 });
    scrape = parsePrometheusText(await proxy.text());
    assert.equal(scrape.types.get('cocoon_proxy_requests_total'), 'counter');
    assert.equal(scrape.value('cocoon_proxy_requests_total', { result: 'success' }), 3);
    assert.equal(scrape.value('cocoon_proxy_requests_total', { result: 'failed' }), 1, 'rejected requests are counted once, as rejected');
    assert.equal(scrape.value('cocoon_proxy_requests_total', { result: 'rejected' }), 1);
    assert.equal(scrape.value('cocoon_proxy_request_retries_total'), 4);
    assert.equal(scrape.value('cocoon_proxy_tokens_total', { category: 'prompt' }), 7);
    assert.equal(scrape.value('cocoon_proxy_tokens_total', { category: 'reasoning' }), 0);
    proxy.observeRequest(0.3, 0.02);
    scrape = parsePrometheusText(await proxy.text());
    assert.equal(scrape.types.get('cocoon_proxy_request_duration_seconds'), 'histogram');
    assert.equal(scrape.value('cocoon_proxy_request_duration_seconds_count'), 1);
    assert.equal(scrape.value('cocoon_proxy_request_duration_seconds_bucket', { le: '0.25' }), 0);
    assert.equal(scrape.value('cocoon_proxy_request_duration_seconds_bucket', { le: '0.5' }), 1);
    assert.equal(scrape.value('cocoon_proxy_time_to_first_answer_seconds_sum'), 0.02);
  });

  test('two runners in one process keep separate registries under the same names', async () => {
    const counters = (success: number) => ({ requestTotals: () => ({ success, failed: 0, rejected: 0 }), tokenTotals: () => TOKENS, earnedNanoton: () => BigInt(success) * 19n });
    const first = new WorkerMetrics(counters(2));
    const second = new WorkerMetrics(counters(5));
    first.observeRequest(1);
    const [one, two] = [parsePrometheusText(await first.text()), parsePrometheusText(await second.text())];
    assert.notEqual(first.metrics.registry, second.metrics.registry);
    assert.equal(one.value('cocoon_worker_requests_total', { result: 'success' }), 2);
    assert.equal(two.value('cocoon_worker_requests_total', { result: 'success' }), 5);
    assert.equal(one.value('cocoon_worker_earned_nanoton_total'), 38);
    assert.equal(one.value('cocoon_worker_request_duration_seconds_count'), 1);
    assert.equal(two.value('cocoon_worker_request_duration_seconds_count'), 0);
  });

  test('a failing read keeps the last value and is counted; a gauge without a value is absent, not 0', async () => {
    const metrics = new RunnerMetrics();
    let fail = false;
    let age: number | undefined = undefined;
    metrics.counterView({ name: 'cocoon_test_things_total', help: 'x' }, () => {
      if (fail) throw new Error('ledger unavailable');
      return 5;
    });
    metrics.gaugeView({ name: 'cocoon_test_age_seconds', help: 'x' }, () => (age === undefined ? [] : [{ labels: {}, value: age }]));
    let scrape = parsePrometheusText(await metrics.text());
    assert.equal(scrape.value('cocoon_test_things_total'), 5);
    assert.equal(scrape.value('cocoon_test_age_seconds'), undefined);
    fail = true;
    age = 12;
    scrape = parsePrometheusText(await metrics.text());
    assert.equal(scrape.value('cocoon_test_things_total'), 5);
    assert.equal(scrape.value('cocoon_metrics_collect_failures_total', { metric: 'cocoon_test_things_total' }), 1);
    assert.equal(scrape.value('cocoon_test_age_seconds'), 12);
  });

  test('the default process metrics join under the cocoon_ prefix once parts are attached', async () => {
    const keyManager = createKeyManagerMetrics();
    assert.equal(parsePrometheusText(await keyManager.text()).types.has('cocoon_process_cpu_seconds_total'), false);
    let validKeys = 2;
    keyManager.attach({ validKeys: () => validKeys, nextKeyExpirySeconds: () => undefined, certificateRefreshes: () => 3 });
    keyManager.recordKeyRequest('worker', 'success');
    keyManager.recordKeyRequest('proxy', 'refused');
    validKeys = 1;
    const scrape = parsePrometheusText(await keyManager.text());
    assert.equal(scrape.types.get('cocoon_process_cpu_seconds_total'), 'counter');
    assert.equal(scrape.value('cocoon_key_manager_key_requests_total', { peer_role: 'worker', result: 'success' }), 1);
    assert.equal(scrape.value('cocoon_key_manager_key_requests_total', { peer_role: 'proxy', result: 'refused' }), 1);
    assert.equal(scrape.value('cocoon_key_manager_valid_keys'), 1);
    assert.equal(scrape.value('cocoon_key_manager_next_key_expiry_seconds'), undefined);
    assert.equal(scrape.value('cocoon_attestation_certificate_refreshes_total'), 3);
    for (const [name, type] of scrape.types) {
      assert.match(name, /^cocoon_[a-z0-9_]+$/, name);
      if (type === 'counter') assert.match(name, /_total$/, name);
    }
  });

  test('nanoTON values are exact up to 2^53 − 1', () => {
    assert.equal(nanotonMetricValue(9_007_199_254_740_991n), Number.MAX_SAFE_INTEGER);
    assert.equal(nanotonMetricValue(123_456_789_012n), 123_456_789_012);
  });
});
