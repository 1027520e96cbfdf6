/**
 * System test of failover (beyond the reference, which never retries): a worker killed
 * (SIGKILL) before its first answer byte makes the proxy retry the request on the other
 * worker; the client gets a normal answer, billed once. Also: answers stream through all
 * hops as the engine produces them, and a request with no worker left ends with an error
 * instead of hanging.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startTestEngine } from '@cocoon/worker';
import type { TestEngine } from '@cocoon/worker';
import type { DevChildProcess } from '../../src/index.ts';
import { ChildLogs, fetchJson, freePorts, startRole, waitFor } from './network-harness.ts';

describe('worker failover across processes', { timeout: 180_000 }, () => {
  const logs = new ChildLogs();
  const children: DevChildProcess[] = [];
  let slowEngine: TestEngine;
  let fastEngine: TestEngine;
  let openai: OpenAI;
  let proxyStatsUrl: string;
  let slowWorker: DevChildProcess;

  before(async () => {
    slowEngine = await startTestEngine({ host: '127.0.0.1', port: 0, responseDelayMs: 60_000 });
    fastEngine = await startTestEngine({ host: '127.0.0.1', port: 0, chunkDelayMs: 150 });
    const [proxyHttp, proxyWorker, proxyClient, worker1Http, worker2Http, clientHttp] = await freePorts(6);
    const proxy = await startRole('proxy', 'proxy', ['--client-port', `${proxyClient}`, '--worker-port', `${proxyWorker}`, '--http-port', `${proxyHttp}`, '--pow-difficulty', '8'], logs);
    children.push(proxy);
    proxyStatsUrl = `http://127.0.0.1:${proxyHttp}/jsonstats`;
    // worker-1 registers first, so with equal load and no history it is chosen first (§4.4 tie-break).
    slowWorker = await startRole('worker-1', 'worker', ['--http-port', `${worker1Http}`, '--proxy-address', `127.0.0.1:${proxyWorker}`, '--engine-url', slowEngine.url], logs);
    children.push(slowWorker);
    children.push(await startRole('worker-2', 'worker', ['--http-port', `${worker2Http}`, '--proxy-address', `127.0.0.1:${proxyWorker}`, '--engine-url', fastEngine.url], logs));
    children.push(await startRole('client', 'client', ['--http-port', `${clientHttp}`, '--proxy-address', `127.0.0.1:${proxyClient}`], logs));
    openai = new OpenAI({ baseURL: `http://127.0.0.1:${clientHttp}/v1`, apiKey: 'unused', maxRetries: 0 });
  });

  after(async () => {
    await Promise.all(children.map((child) => child.stop(2000)));
    await slowEngine?.close();
    await fastEngine?.close();
  });

  test('a worker killed before its first byte is replaced by the other worker', async () => {
    const started = Date.now();
    const stream = openai.chat.completions.create({
      model: 'test/tiny-chat', messages: [{ role: 'user', content: 'one two three' }], stream: true, stream_options: { include_usage: true },
    });
    await waitFor(() => slowEngine.requests === 1, 10_000, 'the slow engine to receive the request');
    process.kill(slowWorker.pid!, 'SIGKILL');
    const arrivals: number[] = [];
    let usageTotal = 0;
    for await (const chunk of await stream) {
      arrivals.push(Date.now());
      if (chunk.usage) usageTotal = chunk.usage.total_tokens;
    }
    assert.equal(fastEngine.requests, 1, logs.tail());
    assert.ok(usageTotal > 0);
    // Chunks left the fast engine 150 ms apart and reached the app as they were produced, not at the end.
    const spread = arrivals[arrivals.length - 1]! - arrivals[0]!;
    assert.ok(spread > 1000, `chunks arrived over ${spread} ms (streamed, not buffered)`);
    assert.ok(Date.now() - started < 30_000);
    const stats = await fetchJson(proxyStatsUrl);
    const counters = stats.stats as Record<string, number[]>;
    assert.equal(counters.retried?.[0], 1, 'one retry');
    const ledger = stats.ledger as Record<string, number>;
    assert.equal(ledger.requests, 1, 'billed once');
  });

  test('with no worker left a request fails fast with 503, and the client stays up', async () => {
    await children.find((child) => child.name === 'worker-2')!.stop(2000);
    await waitFor(async () => {
      const models = await fetchJson(proxyStatsUrl);
      return (models.worker_connections as unknown[]).length === 0;
    }, 10_000, 'the proxy to drop the stopped workers');
    await assert.rejects(
      openai.chat.completions.create({ model: 'test/tiny-chat', messages: [{ role: 'user', content: 'anyone?' }] }),
      (error: unknown) => error instanceof OpenAI.APIError && (error.status === 404 || error.status === 503),
    );
    const models = await openai.models.list();
    assert.equal(models.data.length, 0);
  });
});
