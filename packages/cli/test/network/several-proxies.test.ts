/**
 * Several proxies (docs/protocol.md §1.2), our runners in process off chain over real PoW + TLS: two
 * proxies, one worker serving both (proxy_addresses, so proxy_cnt 2 and each proxy allows
 * ceil(max_active_requests / 2)), one client keeping sessions to both. Requests in flight spread over the
 * proxies (least in flight); a request whose proxy is stopped before it answered is answered by the other
 * (the worker sees it twice, the app once, complete); a request that already streamed bytes to the app is
 * not sent again. The engine is a test double holding each request until the test releases it.
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

const MODEL = 'test/tiny-chat';

/** Test double: holds each request; released ones answer `{}` (or, streaming, a first chunk at once and the rest on release). */
class HoldingEngine implements InferenceEngine {
  readonly held: EngineRequest[] = [];
  private readonly releases: Array<() => void> = [];
  private waiters: Array<() => void> = [];
  constructor(private readonly streamFirstChunk = false) {}
  forward(request: EngineRequest): Promise<EngineResponse> {
    this.held.push(request);
    for (const waiter of this.waiters.splice(0)) waiter();
    const released = new Promise<void>((resolve) => this.releases.push(resolve));
    const headers = { 'content-type': this.streamFirstChunk ? 'text/event-stream' : 'application/json' };
    if (this.streamFirstChunk) {
      return Promise.resolve({ status: 200, headers, body: (async function* () { yield Buffer.from('data: {"first":true}\n\n'); await released; yield Buffer.from('data: [DONE]\n\n'); })() });
    }
    return released.then(() => ({ status: 200, headers, body: (async function* () { yield Buffer.from('{"answered":true}'); })() }));
  }
  async whenHolding(count: number): Promise<void> {
    while (this.held.length < count) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
  releaseAll(): void {
    for (const release of this.releases.splice(0)) release();
  }
  async health() { return { ok: true, models: [MODEL] }; }
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

const json = async (url: string) => (await (await fetch(url)).json()) as Record<string, unknown>;

/** Two proxies, a worker serving both, a client over both, and one client per proxy to read that proxy's view (`/v1/models`). */
async function startNetwork(directory: string, engine: HoldingEngine, maxActiveRequests: number) {
  const proxies: RunnerHandle[] = [];
  for (const name of ['proxy-a', 'proxy-b']) {
    proxies.push(await startProxyRunner(proxyConfigSchema.parse({
      client_port: 0, worker_port: 0, http_port: 0, pow_difficulty: 2, max_attempts: 1,
      admin_token_file: join(directory, `${name}.token`), proxy_key_file: join(directory, `${name}.key`),
    }), { logger: quiet(name) }));
  }
  const ports = proxies.map((proxy) => proxy.readyInfo as { worker_port: number; client_port: number; stats_url?: string });
  const worker = await startWorkerRunner(workerConfigSchema.parse({
    engine_url: 'http://127.0.0.1:9', proxy_addresses: ports.map((port) => `127.0.0.1:${port.worker_port}`), http_port: 0,
    max_active_requests: maxActiveRequests, admin_token_file: join(directory, 'worker.token'), worker_state_dir: join(directory, 'worker'),
  }), { logger: quiet('worker'), engine });
  const client = await startClientRunner(clientConfigSchema.parse({
    proxy_addresses: ports.map((port) => `127.0.0.1:${port.client_port}`), http_port: 0, shutdown_drain_ms: 0, admin_token_file: join(directory, 'client.token'),
  }), { logger: quiet('client') });
  const baseUrl = client.readyInfo.url as string;
  const clientStats = (client.readyInfo.url as string).replace(/\/v1$/, '/jsonstats');
  await waitFor(async () => ((await json(clientStats)).proxy_connections as Array<{ is_ready: boolean }>).every((connection) => connection.is_ready), 'the client to reach both proxies');
  const workerStats = `${worker.readyInfo.stats_url as string}/jsonstats`;
  await waitFor(async () => ((await json(workerStats)).proxies as Array<{ state: string }>).filter((proxy) => proxy.state === 'ready').length === 2, 'the worker to serve both proxies');
  await waitFor(async () => ((await json(`${baseUrl}/models`)).data as unknown[]).length > 0, 'the worker to be listed');
  const views: RunnerHandle[] = [];
  for (const [index, port] of ports.entries()) {
    views.push(await startClientRunner(clientConfigSchema.parse({
      proxy_address: `127.0.0.1:${port.client_port}`, http_port: 0, shutdown_drain_ms: 0, admin_token_file: join(directory, `view-${index}.token`),
    }), { logger: quiet('view') }));
  }
  const close = async () => {
    for (const runner of [...views, client, worker, ...proxies]) await runner.close().catch(() => undefined);
  };
  return { proxies, ports, worker, client, baseUrl, views, close };
}

const chat = (baseUrl: string, extra: Record<string, unknown> = {}) => fetch(`${baseUrl}/chat/completions`, {
  method: 'POST', headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], ...extra }),
});

/** Each proxy's worker rows of `/v1/models` (read through that proxy's own client). */
async function proxyWorkers(views: RunnerHandle[]): Promise<Array<{ running_requests: number; max_running_requests: number }>> {
  return Promise.all(views.map(async (view) => ((await json(`${view.readyInfo.url as string}/models`)).data as Array<{ workers: Array<{ running_requests: number; max_running_requests: number }> }>)[0]!.workers[0]!));
}

/** How many requests each proxy has running now. */
async function runningPerProxy(views: RunnerHandle[]): Promise<number[]> {
  return (await proxyWorkers(views)).map((worker) => worker.running_requests);
}

describe('a client over two proxies and a worker serving both', () => {
  const directory = mkdtempSync(join(tmpdir(), 'cocoon-several-proxies-'));
  const engine = new HoldingEngine();
  let network: Awaited<ReturnType<typeof startNetwork>>;

  before(async () => {
    network = await startNetwork(directory, engine, 3);
  });

  after(async () => {
    engine.releaseAll();
    await network?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  test('the worker announces proxy_cnt 2: each proxy allows ceil(3 / 2) = 2 of its requests', async () => {
    assert.deepEqual((await proxyWorkers(network.views)).map((worker) => worker.max_running_requests), [2, 2]);
  });

  test('requests in flight spread over both proxies (the one with fewer in flight is chosen)', async () => {
    const answers = [chat(network.baseUrl), chat(network.baseUrl)];
    await engine.whenHolding(2);
    assert.deepEqual(await runningPerProxy(network.views), [1, 1]);
    engine.releaseAll();
    for (const answer of await Promise.all(answers)) assert.deepEqual(await answer.json(), { answered: true });
  });

  test('a proxy stopped before it answered: the request is answered by the other one, once and complete', async () => {
    const held = engine.held.length;
    await waitFor(async () => (await runningPerProxy(network.views)).every((running) => running === 0), 'the earlier requests to end');
    const answer = chat(network.baseUrl);
    await engine.whenHolding(held + 1);
    const first = (await runningPerProxy(network.views)).indexOf(1);
    assert.ok(first >= 0, 'one proxy took the request');
    await network.proxies[first]!.close(); // its sessions close: the client's attempt is lost before any answer
    await engine.whenHolding(held + 2); // the same request, again, through the other proxy
    engine.releaseAll();
    const response = await answer;
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { answered: true });
    assert.equal(engine.held.length, held + 2);
  });
});

describe('a request that already streamed bytes is not sent again', () => {
  const directory = mkdtempSync(join(tmpdir(), 'cocoon-several-proxies-stream-'));
  const engine = new HoldingEngine(true);
  let network: Awaited<ReturnType<typeof startNetwork>>;

  before(async () => {
    network = await startNetwork(directory, engine, 4);
  });

  after(async () => {
    engine.releaseAll();
    await network?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  test('its proxy dies mid-answer: the app gets the bytes so far and an error, the worker saw it once', async () => {
    const response = await chat(network.baseUrl, { stream: true });
    assert.equal(response.status, 200);
    const reader = response.body!.getReader();
    const first = await reader.read();
    assert.match(Buffer.from(first.value!).toString(), /"first":true/);
    const index = (await runningPerProxy(network.views)).indexOf(1);
    assert.ok(index >= 0, 'one proxy runs the request');
    await network.proxies[index]!.close();
    let rest = '';
    try {
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) break;
        rest += Buffer.from(chunk.value).toString();
      }
    } catch {
      // the answer is cut off: what matters is that it was not sent again
    }
    assert.doesNotMatch(rest, /"first":true/, 'no second attempt reached the app');
    assert.equal(engine.held.length, 1, 'the worker saw the request once');
  });
});
