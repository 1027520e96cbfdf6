/**
 * Error codes survive the wire between our own runners (docs/protocol.md §19 "Coded errors"): proxy,
 * worker and client started in process off chain, every hop negotiating the extensions. The app sees
 * the worker's own code (overloaded 503, invalid request 400) and the proxy's (all workers busy, 503
 * with Retry-After) as the HTTP error's `code`, carried on the wire rather than recovered from texts.
 * The worker's engine is a test double that holds each request until the test releases it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@cocoon/protocol';
import type { RunnerHandle } from '@cocoon/protocol';
import { proxyConfigSchema, startProxyRunner } from '@cocoon/proxy';
import { startWorkerRunner, workerConfigSchema } from '@cocoon/worker';
import type { EngineRequest, EngineResponse, InferenceEngine } from '@cocoon/worker';
import { clientConfigSchema, startClientRunner } from '@cocoon/client';

/** Test double: an engine that answers `{}` to each request only once released (it ignores cancels). */
class HoldingEngine implements InferenceEngine {
  readonly held: EngineRequest[] = [];
  private readonly releases: Array<() => void> = [];
  private waiters: Array<() => void> = [];
  forward(request: EngineRequest): Promise<EngineResponse> {
    this.held.push(request);
    for (const waiter of this.waiters.splice(0)) waiter();
    return new Promise((resolve) => {
      this.releases.push(() => resolve({ status: 200, headers: { 'content-type': 'application/json' }, body: (async function* () { yield Buffer.from('{}'); })() }));
    });
  }
  async whenHolding(count: number): Promise<void> {
    while (this.held.length < count) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
  releaseAll(): void {
    for (const release of this.releases.splice(0)) release();
  }
  async health() { return { ok: true, models: ['test/tiny-chat'] }; }
  async close() { this.releaseAll(); }
}

const quiet = (name: string) => createLogger(name, { level: 'error' });

async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('coded errors from worker and proxy reach the app (our runners, extensions negotiated)', () => {
  const directory = mkdtempSync(join(tmpdir(), 'cocoon-coded-errors-'));
  const engine = new HoldingEngine();
  let proxy: RunnerHandle;
  let worker: RunnerHandle;
  let client: RunnerHandle;
  let baseUrl: string;

  const chat = (extra: Record<string, unknown> = {}) => fetch(`${baseUrl}/chat/completions`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'test/tiny-chat', messages: [{ role: 'user', content: 'hi' }], ...extra }),
  });
  const errorOf = async (response: Response) => ((await response.json()) as { error: { code: string; message: string } }).error;
  const running = async (url: string, read: (json: Record<string, unknown>) => unknown) => read((await (await fetch(url)).json()) as Record<string, unknown>);

  before(async () => {
    proxy = await startProxyRunner(proxyConfigSchema.parse({
      client_port: 0, worker_port: 0, http_port: 0, pow_difficulty: 2, max_attempts: 1,
      admin_token_file: join(directory, 'proxy.token'), proxy_key_file: join(directory, 'proxy.key'),
    }), { logger: quiet('proxy') });
    const { worker_port: workerPort, client_port: clientPort } = proxy.readyInfo as { worker_port: number; client_port: number };
    worker = await startWorkerRunner(workerConfigSchema.parse({
      engine_url: 'http://127.0.0.1:9', proxy_address: `127.0.0.1:${workerPort}`, http_port: 0, max_active_requests: 1,
      admin_token_file: join(directory, 'worker.token'), worker_state_dir: join(directory, 'worker'),
    }), { logger: quiet('worker'), engine });
    client = await startClientRunner(clientConfigSchema.parse({
      proxy_address: `127.0.0.1:${clientPort}`, http_port: 0, admin_token_file: join(directory, 'client.token'),
    }), { logger: quiet('client') });
    baseUrl = client.readyInfo.url as string;
    await waitFor(async () => (await (await fetch(`${baseUrl}/models`)).json() as { data: unknown[] }).data.length > 0, 'the worker to be listed');
  });

  after(async () => {
    engine.releaseAll();
    await client?.close();
    await worker?.close();
    await proxy?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  test('all workers busy: CCN_ERR_ROUTE_WORKERS_BUSY, 503, Retry-After', async () => {
    const held = chat({ timeout: 1 }); // the only worker slot, until its proxy timer frees it
    await engine.whenHolding(1);
    const busy = await chat();
    assert.equal(busy.status, 503);
    assert.equal(busy.headers.get('retry-after'), '1');
    assert.equal((await errorOf(busy)).code, 'CCN_ERR_ROUTE_WORKERS_BUSY');
    assert.equal((await held).status, 504);
  });

  test("the worker's own refusal: CCN_ERR_WORKER_OVERLOADED, 503", async () => {
    // The proxy freed the slot on its timeout, the worker still runs the held request (its engine ignores the cancel).
    const modelsUrl = `${baseUrl}/models`;
    await waitFor(async () => await running(modelsUrl, (json) => ((json.data as Array<{ workers: Array<{ running_requests: number }> }>)[0]!.workers[0]!.running_requests)) === 0, 'the proxy to free the slot');
    const overloaded = await chat();
    assert.equal(overloaded.status, 503);
    const error = await errorOf(overloaded);
    assert.equal(error.code, 'CCN_ERR_WORKER_OVERLOADED');
    assert.match(error.message, /too many active queries/);
  });

  test('an invalid request refused by the worker: CCN_ERR_WORKER_INVALID_REQUEST, 400', async () => {
    engine.releaseAll();
    const statsUrl = worker.readyInfo.stats_url as string;
    await waitFor(async () => await running(`${statsUrl}/jsonstats`, (json) => json.running_requests) === 0, 'the worker to finish the held request');
    const invalid = await chat({ frobnicate: true });
    assert.equal(invalid.status, 400);
    const error = await errorOf(invalid);
    assert.equal(error.code, 'CCN_ERR_WORKER_INVALID_REQUEST');
    assert.match(error.message, /frobnicate/);
  });
});
