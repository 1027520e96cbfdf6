/**
 * Prometheus `/metrics` and JSON logs of a real network in process (proxy, worker on the test
 * engine, client; off chain): after two answered requests (one streamed) and one refused, each
 * runner's scrape counts exactly what happened (requests by result, tokens per category matching
 * the engine's usage, nanoTON at the configured prices, latency histograms), with the Prometheus
 * content type and conventional names; each runner has its own registry; the guard holds (access
 * hash / metrics_require_token → admin token). Every runner logs JSON lines that parse and never
 * carry the prompt or a secret.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, metricNameProblems, type MetricKind, type RunnerHandle } from '@cocoon/protocol';
import { parsePrometheusText, type PrometheusScrape } from '@cocoon/test-support';
import { proxyConfigSchema, startProxyRunner } from '@cocoon/proxy';
import { startTestEngine, startWorkerRunner, workerConfigSchema, type TestEngine } from '@cocoon/worker';
import { clientConfigSchema, startClientRunner } from '@cocoon/client';

const PROMPT_MARKER = 'zebra-quartz-prompt-marker';
const ACCESS_HASH = 'proxy-access-hash-7f3e9a';
const MODEL = 'test/tiny-chat';

interface Usage { prompt_tokens: number; completion_tokens: number; prompt_tokens_details?: { cached_tokens?: number }; completion_tokens_details?: { reasoning_tokens?: number } }

describe('runner metrics and JSON logs (proxy, worker, client in process)', () => {
  const directory = mkdtempSync(join(tmpdir(), 'cocoon-metrics-'));
  const tokenFile = (role: string): string => join(directory, role, 'admin.token');
  const token = (role: string): string => readFileSync(tokenFile(role), 'utf8').trim();
  const logLines: string[] = [];
  const jsonLogger = (role: string) => createLogger(role, { format: 'json', level: 'debug', write: (line) => logLines.push(line) });
  let engine: TestEngine;
  let proxy: RunnerHandle;
  let worker: RunnerHandle;
  let client: RunnerHandle;
  let urls: Record<'proxy' | 'worker' | 'client', string>;
  const usages: Usage[] = [];

  const scrape = async (role: 'proxy' | 'worker' | 'client', headers: Record<string, string> = {}): Promise<PrometheusScrape> => {
    const response = await fetch(`${urls[role]}/metrics`, { headers });
    assert.equal(response.status, 200, role);
    assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8', role);
    return parsePrometheusText(await response.text());
  };
  const bearer = (role: string) => ({ authorization: `Bearer ${token(role)}` });

  before(async () => {
    engine = await startTestEngine({ host: '127.0.0.1', port: 0 });
    proxy = await startProxyRunner(proxyConfigSchema.parse({
      client_port: 0, worker_port: 0, http_port: 0, pow_difficulty: 2, admin_token_file: tokenFile('proxy'), http_access_hash: ACCESS_HASH,
    }), { logger: jsonLogger('proxy') });
    worker = await startWorkerRunner(workerConfigSchema.parse({
      engine_url: engine.url, proxy_address: `127.0.0.1:${(proxy.readyInfo as { worker_port: number }).worker_port}`, http_port: 0,
      admin_token_file: tokenFile('worker'), metrics_require_token: true,
    }), { logger: jsonLogger('worker') });
    client = await startClientRunner(clientConfigSchema.parse({
      proxy_address: `127.0.0.1:${(proxy.readyInfo as { client_port: number }).client_port}`, http_port: 0, admin_token_file: tokenFile('client'),
    }), { logger: jsonLogger('client') });
    urls = { proxy: proxy.readyInfo.stats_url as string, worker: worker.readyInfo.stats_url as string, client: `http://127.0.0.1:${client.readyInfo.http_port as number}` };

    const ask = (body: Record<string, unknown>) => fetch(`${urls.client}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: MODEL, ...body }),
    });
    const plain = await ask({ messages: [{ role: 'user', content: `hello ${PROMPT_MARKER} there` }], max_tokens: 8 });
    assert.equal(plain.status, 200);
    usages.push(((await plain.json()) as { usage: Usage }).usage);
    const streamed = await ask({ messages: [{ role: 'user', content: `tell me about ${PROMPT_MARKER}` }], stream: true, stream_options: { include_usage: true } });
    assert.equal(streamed.status, 200);
    const events = (await streamed.text()).split('\n').filter((line) => line.startsWith('data: {')).map((line) => JSON.parse(line.slice(6)) as { usage?: Usage });
    usages.push(events.find((event) => event.usage)!.usage!);
    const refused = await ask({ model: 'no/such-model', messages: [{ role: 'user', content: PROMPT_MARKER }] });
    assert.ok(refused.status >= 400, `unknown model answered ${refused.status}`);
    await refused.text();
  });
  after(async () => {
    await client?.close();
    await worker?.close();
    await proxy?.close();
    await engine?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  /** Adjusted tokens per category at coefficient 1000 and 1.0× multipliers (§5.1). */
  const expectedTokens = () => {
    const sum = (pick: (usage: Usage) => number) => usages.reduce((total, usage) => total + pick(usage), 0);
    const cached = sum((usage) => usage.prompt_tokens_details?.cached_tokens ?? 0);
    const reasoning = sum((usage) => usage.completion_tokens_details?.reasoning_tokens ?? 0);
    const prompt = sum((usage) => usage.prompt_tokens) - cached;
    const completion = sum((usage) => usage.completion_tokens) - reasoning;
    return { prompt, cached, completion, reasoning, total: prompt + cached + completion + reasoning };
  };

  test('the proxy counts the requests by result, the tokens per category and the money at its prices', async () => {
    const refusedWithoutCredential = await fetch(`${urls.proxy}/metrics`);
    assert.equal(refusedWithoutCredential.status, 401, 'an access hash guards /metrics as it guards /jsonstats');
    const metrics = await scrape('proxy', bearer('proxy'));
    const tokens = expectedTokens();
    assert.ok(tokens.cached > 0 && tokens.reasoning > 0, 'the test engine reports every category');
    assert.equal(metrics.value('cocoon_proxy_requests_total', { result: 'success' }), 2);
    assert.equal(metrics.value('cocoon_proxy_requests_total', { result: 'rejected' }), 1);
    assert.equal(metrics.value('cocoon_proxy_requests_total', { result: 'failed' }), 0);
    for (const category of ['prompt', 'cached', 'completion', 'reasoning'] as const) {
      assert.equal(metrics.value('cocoon_proxy_tokens_total', { category }), tokens[category], category);
    }
    assert.equal(metrics.value('cocoon_proxy_client_charged_nanoton_total'), tokens.total * 20, 'price_per_token 20');
    assert.equal(metrics.value('cocoon_proxy_worker_owed_nanoton_total'), tokens.total * 19, 'worker_fee_per_token 19');
    assert.equal(metrics.value('cocoon_proxy_commission_nanoton_total'), tokens.total);
    assert.equal(metrics.value('cocoon_proxy_request_duration_seconds_count'), 3);
    assert.equal(metrics.value('cocoon_proxy_time_to_first_answer_seconds_count'), 2, 'the refused request never had an answer byte');
    assert.equal(metrics.value('cocoon_proxy_active_streams'), 0);
    const connected = metrics.samples.filter((sample) => sample.name === 'cocoon_proxy_workers_connected');
    assert.deepEqual(connected.map((sample) => [sample.labels.model, sample.value]), [['test/tiny-chat', 1]]);
    assert.equal(metrics.value('cocoon_proxy_workers_available', { model: 'test/tiny-chat' }), 1);
    assert.equal(metrics.value('cocoon_attestation_certificate_refreshes_total'), 0);
    assert.equal(metrics.value('cocoon_chain_root_sync_age_seconds'), undefined, 'off chain: no chain lag');
  });

  test('the worker counts what it served and what it earned; metrics_require_token asks for the admin token', async () => {
    assert.equal((await fetch(`${urls.worker}/metrics`)).status, 401);
    const metrics = await scrape('worker', bearer('worker'));
    const tokens = expectedTokens();
    assert.equal(metrics.value('cocoon_worker_requests_total', { result: 'success' }), 2);
    assert.equal(metrics.value('cocoon_worker_requests_total', { result: 'failed' }), 0);
    for (const category of ['prompt', 'cached', 'completion', 'reasoning'] as const) {
      assert.equal(metrics.value('cocoon_worker_tokens_total', { category }), tokens[category], category);
    }
    assert.equal(metrics.value('cocoon_worker_earned_nanoton_total'), tokens.total * 19);
    assert.equal(metrics.value('cocoon_worker_request_duration_seconds_count'), 2);
    assert.equal(metrics.value('cocoon_worker_engine_healthy'), 1);
    assert.equal(metrics.value('cocoon_worker_enabled'), 1);
    assert.equal(metrics.value('cocoon_worker_proxies_connected'), 1);
    assert.equal(metrics.value('cocoon_worker_active_requests'), 0);
  });

  test('the client counts its requests, tokens and spending; its /metrics is open like its stats pages', async () => {
    const metrics = await scrape('client');
    const tokens = expectedTokens();
    assert.equal(metrics.value('cocoon_client_requests_total', { result: 'success' }), 2);
    assert.equal(metrics.value('cocoon_client_requests_total', { result: 'failed' }), 1);
    assert.equal(metrics.value('cocoon_client_tokens_total'), tokens.total);
    assert.equal(metrics.value('cocoon_client_spent_nanoton_total'), tokens.total * 20);
    assert.equal(metrics.value('cocoon_client_request_duration_seconds_count'), 3);
    assert.equal(metrics.value('cocoon_client_proxies_connected'), 1);
    assert.equal(metrics.value('cocoon_client_active_requests'), 0);
    assert.ok((metrics.value('cocoon_client_sent_bytes_total') ?? 0) > 0);
  });

  test('every name follows the conventions; each runner scrapes only its own registry', async () => {
    const scrapes = { proxy: await scrape('proxy', bearer('proxy')), worker: await scrape('worker', bearer('worker')), client: await scrape('client') };
    for (const [role, metrics] of Object.entries(scrapes)) {
      assert.equal(metrics.types.get('cocoon_process_cpu_seconds_total'), 'counter', `${role}: default process metrics`);
      for (const [name, type] of metrics.types) {
        assert.match(name, /^cocoon_[a-z0-9_]+$/, name);
        if (type === 'counter') assert.match(name, /_total$/, name);
        if (/^cocoon_(process|nodejs)_/.test(name)) continue; // prom-client's own
        assert.deepEqual(metricNameProblems(name, type as MetricKind), [], name);
      }
      const others = ['proxy', 'worker', 'client'].filter((other) => other !== role);
      for (const name of metrics.types.keys()) for (const other of others) assert.ok(!name.startsWith(`cocoon_${other}_`), `${role} scrape holds ${name}`);
    }
  });

  test('docs/observability.md documents every metric the runners serve, and the Grafana dashboard queries only those', async () => {
    const served = new Set<string>();
    for (const metrics of [await scrape('proxy', bearer('proxy')), await scrape('worker', bearer('worker')), await scrape('client')]) {
      for (const name of metrics.types.keys()) if (!/^cocoon_(process|nodejs)_/.test(name)) served.add(name);
    }
    const notServedHere = (name: string) => name.startsWith('cocoon_key_manager_') || name === 'cocoon_chain_root_sync_age_seconds'; // no key manager, off chain
    const documentation = readFileSync(new URL('../../../../docs/observability.md', import.meta.url), 'utf8');
    const documented = new Set([...documentation.matchAll(/^\| `(cocoon_[a-z0-9_]+)` \|/gm)].map((match) => match[1]!));
    for (const name of served) assert.ok(documented.has(name), `${name} is served but not documented`);
    for (const name of documented) assert.ok(served.has(name) || notServedHere(name), `${name} is documented but not served`);
    const dashboard = JSON.parse(readFileSync(new URL('../../../../docs/grafana-dashboard.json', import.meta.url), 'utf8')) as { panels: Array<{ targets?: Array<{ expr: string }> }> };
    const queried = dashboard.panels.flatMap((panel) => panel.targets ?? []).flatMap((target) => [...target.expr.matchAll(/cocoon_[a-z0-9_]+/g)].map((match) => match[0].replace(/_(bucket|count|sum)$/, '')));
    assert.ok(queried.length > 20);
    for (const name of queried) assert.ok(served.has(name) || notServedHere(name) || name === 'cocoon_process_start_time_seconds', `the dashboard queries ${name}, which no runner serves`);
  });

  test('every runner logged JSON lines that parse, and none carries the prompt or a secret', () => {
    assert.ok(logLines.length > 5, `only ${logLines.length} log lines`);
    const roles = new Set<string>();
    const secrets = [ACCESS_HASH, token('proxy'), token('worker'), token('client')];
    for (const line of logLines) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      assert.match(String(entry.time), /^\d{4}-\d\d-\d\dT/);
      assert.ok(['debug', 'info', 'warn', 'error'].includes(String(entry.level)), line);
      assert.equal(typeof entry.msg, 'string');
      roles.add(String(entry.role).split('/')[0]!);
      assert.ok(!line.includes(PROMPT_MARKER), `prompt text in a log line: ${line}`);
      for (const secret of secrets) assert.ok(!line.includes(secret), `secret in a log line: ${line}`);
    }
    assert.deepEqual([...roles].sort(), ['client', 'proxy', 'worker']);
  });
});
