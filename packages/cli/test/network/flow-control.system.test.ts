/**
 * System tests of cancellation and backpressure across processes (client → proxy → worker, each
 * its own process, negotiating our extensions, §19), with the engine in this process:
 * - an app (openai npm client) that aborts a streamed answer after 5 tokens of a slow engine (one
 *   token every 50 ms): the engine sees its request closed within 1 s, and the proxy bills no more
 *   than what the engine generated (and not nothing);
 * - a raw HTTP consumer reading 1 byte every 10 ms while the engine could stream 200 MB fast: the
 *   RSS of proxy, worker and client stays within 64 MiB of its baseline, the engine is held back,
 *   and the bytes read are an exact prefix of the engine's stream.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import OpenAI from 'openai';
import { DEV_NETWORK_PARAMS, adjustTokens } from '@cocoon/protocol';
import { startSlowStreamEngine } from '@cocoon/test-support';
import type { SlowStreamEngine } from '@cocoon/test-support';
import type { DevChildProcess } from '../../src/index.ts';
import { ChildLogs, fetchJson, freePorts, startRole, waitFor } from './network-harness.ts';

const MODEL = 'test/tiny-chat';
const MIB = 1024 * 1024;

/** A three-process network in front of `engine`. */
async function startNetwork(engine: SlowStreamEngine, logs: ChildLogs): Promise<{ children: DevChildProcess[]; clientPort: number; proxyStatsUrl: string }> {
  const [proxyHttp, proxyWorker, proxyClient, workerHttp, clientHttp] = (await freePorts(5)) as [number, number, number, number, number];
  const children: DevChildProcess[] = [];
  children.push(await startRole('proxy', 'proxy', ['--client-port', `${proxyClient}`, '--worker-port', `${proxyWorker}`, '--http-port', `${proxyHttp}`, '--pow-difficulty', '8'], logs));
  children.push(await startRole('worker', 'worker', ['--http-port', `${workerHttp}`, '--proxy-address', `127.0.0.1:${proxyWorker}`, '--engine-url', engine.url, '--coefficient', '1000'], logs));
  children.push(await startRole('client', 'client', ['--http-port', `${clientHttp}`, '--proxy-address', `127.0.0.1:${proxyClient}`], logs));
  const proxyStatsUrl = `http://127.0.0.1:${proxyHttp}/jsonstats`;
  await waitFor(async () => ((await fetchJson(proxyStatsUrl)).worker_connections as unknown[]).length === 1, 20_000, 'the worker to register');
  return { children, clientPort: clientHttp, proxyStatsUrl };
}

function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

/** The body of a chunked HTTP/1.1 response read so far (the last chunk may be incomplete). */
function dechunk(raw: Buffer): { status: string; body: string } {
  const text = raw.toString('latin1');
  const headerEnd = text.indexOf('\r\n\r\n');
  if (headerEnd < 0) return { status: text.split('\r\n')[0] ?? '', body: '' };
  let at = headerEnd + 4;
  let body = '';
  while (at < text.length) {
    const lineEnd = text.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = Number.parseInt(text.slice(at, lineEnd), 16);
    if (!(size > 0)) break;
    body += text.slice(lineEnd + 2, Math.min(lineEnd + 2 + size, text.length));
    at = lineEnd + 2 + size + 2;
  }
  return { status: text.split('\r\n')[0] ?? '', body };
}

describe('cancellation across hops', { timeout: 120_000 }, () => {
  const logs = new ChildLogs();
  let engine: SlowStreamEngine;
  let network: Awaited<ReturnType<typeof startNetwork>>;

  before(async () => {
    engine = await startSlowStreamEngine({ model: MODEL, tokens: 400, tokenIntervalMs: 50 });
    network = await startNetwork(engine, logs);
  });
  after(async () => {
    await Promise.all((network?.children ?? []).map((child) => child.stop(2000)));
    await engine?.close();
  });

  test('an app that aborts after 5 tokens stops the engine within 1 s and pays only what was generated', async (t) => {
    const openai = new OpenAI({ baseURL: `http://127.0.0.1:${network.clientPort}/v1`, apiKey: 'unused', maxRetries: 0 });
    const controller = new AbortController();
    const stream = await openai.chat.completions.create(
      { model: MODEL, messages: [{ role: 'user', content: 'count slowly' }], stream: true },
      { signal: controller.signal },
    );
    let received = 0;
    let abortedAt = 0;
    try {
      for await (const chunk of stream) {
        if (chunk.choices[0]?.delta?.content) received += 1;
        if (received === 5) {
          abortedAt = Date.now();
          controller.abort();
        }
      }
    } catch (error) {
      assert.ok(controller.signal.aborted, `the stream failed by itself: ${String(error)}\n${logs.tail()}`);
    }
    assert.ok(abortedAt > 0, logs.tail());
    const record = engine.requests[0]!;
    await waitFor(() => record.closedAt !== undefined, 1000, `the engine request to close\n${logs.tail()}`);
    assert.ok(record.closedAt! - abortedAt < 1000, `closed ${record.closedAt! - abortedAt} ms after the abort`);
    assert.equal(record.completed, false);
    assert.ok(record.tokensSent < 100, `the engine stopped early (${record.tokensSent} of 400 tokens)`);

    await waitFor(async () => ((await fetchJson(network.proxyStatsUrl)).ledger as Record<string, number>).requests === 1, 10_000, `the proxy to account the request\n${logs.tail()}`);
    const ledger = (await fetchJson(network.proxyStatsUrl)).ledger as Record<string, number>;
    const generated = adjustTokens({ promptTokens: 0, cachedTokens: 0, completionTokens: record.tokensSent, reasoningTokens: 0 }, 1000, DEV_NETWORK_PARAMS.multipliers).total;
    t.diagnostic(`engine closed ${record.closedAt! - abortedAt} ms after the abort, generated ${record.tokensSent} tokens, billed ${ledger.tokens} adjusted (${generated} generated)`);
    assert.ok(ledger.tokens! > 0, 'the generated tokens are billed');
    assert.ok(ledger.tokens! <= generated, `billed ${ledger.tokens} adjusted tokens, the engine generated ${generated}`);
    const clients = (await fetchJson(network.proxyStatsUrl)).clients as Array<Record<string, unknown>>;
    assert.ok(clients.every((client) => Number(client.reserved_tokens ?? 0) === 0), `reservation freed: ${JSON.stringify(clients)}`);
  });
});

describe('a slow reader', { timeout: 120_000 }, () => {
  const logs = new ChildLogs();
  let engine: SlowStreamEngine;
  let network: Awaited<ReturnType<typeof startNetwork>>;

  before(async () => {
    engine = await startSlowStreamEngine({ model: MODEL, tokens: 200_000, tokenIntervalMs: 0, tokenBytes: 1000 }); // about 250 MB of SSE
    network = await startNetwork(engine, logs);
  });
  after(async () => {
    await Promise.all((network?.children ?? []).map((child) => child.stop(2000)));
    await engine?.close();
  });

  test('reading 1 byte every 10 ms keeps every runner bounded and the stream exact', async (t) => {
    const pids = Object.fromEntries(network.children.map((child) => [child.name, child.pid!]));
    const baseline = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, rssBytes(pid)]));
    const peak: Record<string, number> = { ...baseline };
    const socket = net.connect({ host: '127.0.0.1', port: network.clientPort });
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.pause();
    const body = JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'a long answer' }], stream: true });
    socket.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    const read: Buffer[] = [];
    const startedAt = Date.now();
    try {
      while (Date.now() - startedAt < 8000) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        const byte = socket.read(1) as Buffer | null;
        if (byte) read.push(byte);
        for (const [name, pid] of Object.entries(pids)) peak[name] = Math.max(peak[name]!, rssBytes(pid));
      }
    } finally {
      socket.destroy();
    }
    const record = engine.requests[0]!;
    t.diagnostic(`engine wrote ${(record.bytesSent / MIB).toFixed(1)} MiB; RSS growth ${Object.entries(peak).map(([name, value]) => `${name} ${((value - baseline[name]!) / MIB).toFixed(1)} MiB`).join(', ')}`);
    for (const [name, value] of Object.entries(peak)) {
      assert.ok(value - baseline[name]! < 64 * MIB, `${name} grew by ${((value - baseline[name]!) / MIB).toFixed(1)} MiB`);
    }
    assert.ok(record.bytesSent < 100 * MIB, `the engine was held back: it wrote ${(record.bytesSent / MIB).toFixed(1)} MiB`);
    const { status, body: received } = dechunk(Buffer.concat(read));
    assert.match(status, /^HTTP\/1\.1 200/, logs.tail());
    assert.ok(received.length > 100, `read ${received.length} body bytes`);
    assert.equal(received, engine.expectedPrefix(received.length), 'a correct prefix of the stream');
    await waitFor(() => record.closedAt !== undefined, 5000, 'the engine request to end once the reader left');
  });
});
