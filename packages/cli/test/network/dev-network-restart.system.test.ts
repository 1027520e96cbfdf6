/**
 * System test of the dev network's supervision: `startDevNetwork` with two workers in front of
 * the test engine (slow first byte, streamed chunks), a bounded loop of `openai` requests
 * running, and one worker killed with SIGKILL. The network keeps answering through the other
 * worker, requests in flight on the killed one end with an answer or a clean error (never a
 * hang), and the killed worker is restarted and registers with the proxy again.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { startTestEngine, type TestEngine } from '@cocoon/worker';
import { startDevNetwork, type DevChildEvent, type DevNetwork } from '../../src/index.ts';
import { ChildLogs, fetchJson, freePorts, waitFor } from './network-harness.ts';

interface Outcome {
  startedAt: number;
  endedAt: number;
  ok: boolean;
  error?: string;
}

describe('cocoon dev network survives a killed worker', { timeout: 150_000 }, () => {
  const logs = new ChildLogs();
  const events: DevChildEvent[] = [];
  let directory = '';
  let engine: TestEngine;
  let network: DevNetwork;
  let openai: OpenAI;
  let proxyStatsUrl = '';

  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'cocoon-dev-restart-'));
    engine = await startTestEngine({ host: '127.0.0.1', port: 0, responseDelayMs: 150, chunkDelayMs: 20 });
    const [clientHttp, proxyHttp, proxyWorker, proxyClient, workerHttp] = await freePorts(5);
    network = await startDevNetwork({
      engine: 'openai', engineUrl: engine.url, dataDir: directory,
      ports: { clientHttp, proxyHttp, proxyWorker, proxyClient, workerHttp },
      powDifficulty: 8, readyTimeoutMs: 90_000, stopGraceMs: 3000,
      onLine: logs.onLine,
      onChildEvent: (event) => events.push(event),
    });
    proxyStatsUrl = network.statsUrls.proxy!.replace('/stats', '/jsonstats');
    openai = new OpenAI({ baseURL: network.baseUrl, apiKey: 'unused', maxRetries: 0, timeout: 15_000 });
    await waitFor(async () => ((await fetchJson(proxyStatsUrl)).worker_connections as unknown[]).length === 2, 20_000, 'both workers registered');
  });

  after(async () => {
    await network?.stop();
    await engine?.close();
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  /** One request, streamed or not; its outcome, never a throw. */
  async function request(stream: boolean): Promise<Outcome> {
    const startedAt = Date.now();
    try {
      const messages = [{ role: 'user' as const, content: 'one two three four' }];
      if (stream) {
        let text = '';
        for await (const chunk of await openai.chat.completions.create({ model: 'test/tiny-chat', messages, stream: true })) text += chunk.choices[0]?.delta.content ?? '';
        if (text.length === 0) throw new Error('empty streamed answer');
      } else {
        const answer = await openai.chat.completions.create({ model: 'test/tiny-chat', messages });
        if (!answer.choices[0]?.message.content) throw new Error('empty answer');
      }
      return { startedAt, endedAt: Date.now(), ok: true };
    } catch (error) {
      const detail = error instanceof OpenAI.APIError ? `${error.status} ${error.code ?? ''} ${error.message}` : String(error);
      return { startedAt, endedAt: Date.now(), ok: false, error: detail };
    }
  }

  test('requests keep succeeding through the other worker and the killed worker comes back', { timeout: 40_000 }, async () => {
    const outcomes: Outcome[] = [];
    let running = true;
    const loops = Array.from({ length: 4 }, async (_, index) => {
      for (let round = 0; running && round < 400; round++) outcomes.push(await request((index + round) % 2 === 0));
    });
    try {
      await waitFor(() => outcomes.filter((outcome) => outcome.ok).length >= 8, 15_000, 'the loop to get answers');
      const victim = network.children.find((child) => child.name === 'worker-1')!;
      const killedAt = Date.now();
      process.kill(victim.pid!, 'SIGKILL');
      await waitFor(() => events.some((event) => event.kind === 'restarted' && event.name === 'worker-1'), 25_000, `worker-1 to be restarted\n${logs.tail()}`);
      const restartedAt = Date.now();
      const exited = events.find((event) => event.kind === 'exited');
      assert.deepEqual(exited, { kind: 'exited', name: 'worker-1', exit: { name: 'worker-1', code: null, signal: 'SIGKILL' }, restartInMs: 250 });
      const replacement = network.children.find((child) => child.name === 'worker-1')!;
      assert.notEqual(replacement.pid, victim.pid);
      assert.ok(replacement.running);
      assert.equal((await fetch(network.statsUrls['worker-1']!)).status, 200, 'its stats port answers again');
      await waitFor(async () => ((await fetchJson(proxyStatsUrl)).worker_connections as unknown[]).length === 2, 15_000, `the proxy to see 2 workers again\n${logs.tail()}`);
      const afterRestart = outcomes.length;
      await waitFor(() => outcomes.slice(afterRestart).filter((outcome) => outcome.ok).length >= 8, 15_000, 'answers after the restart');
      running = false;
      await Promise.all(loops);

      const startedAfterKill = outcomes.filter((outcome) => outcome.startedAt > killedAt);
      const servedWhileDown = startedAfterKill.filter((outcome) => outcome.startedAt < restartedAt);
      assert.ok(servedWhileDown.length > 0, 'requests ran while worker-1 was down');
      assert.deepEqual(startedAfterKill.filter((outcome) => !outcome.ok), [], `every request started after the kill was answered\n${logs.tail()}`);
      for (const outcome of outcomes) {
        assert.ok(outcome.endedAt - outcome.startedAt < 10_000, `no request hung (${outcome.endedAt - outcome.startedAt} ms)`);
        if (!outcome.ok) assert.ok(outcome.startedAt <= killedAt, `only requests in flight at the kill may fail: ${outcome.error}`);
      }
      assert.deepEqual(events.map((event) => `${event.kind} ${event.name}`), ['exited worker-1', 'restarted worker-1'], 'nothing else died');
      const stats = await fetchJson(proxyStatsUrl);
      const ledger = stats.ledger as Record<string, number>;
      assert.ok(ledger.requests! >= outcomes.filter((outcome) => outcome.ok).length);
    } finally {
      running = false;
      await Promise.all(loops);
    }
  });
});
