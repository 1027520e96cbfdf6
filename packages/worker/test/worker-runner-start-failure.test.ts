/**
 * A worker whose stats server cannot start (its port is taken) releases what the earlier steps
 * opened: the engine is closed (once), no listener is left, and nothing keeps the event loop
 * alive (a child process that failed to start exits by itself); the proxy is never dialled.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@cocoon/protocol';
import { runChildScript } from '@cocoon/test-support';
import { startTestEngine, startWorkerRunner, workerConfigSchema, type InferenceEngine } from '../src/index.ts';

const CHILD = fileURLToPath(new URL('./worker-start-failure-child.ts', import.meta.url));
const directory = mkdtempSync(join(tmpdir(), 'cocoon-worker-start-failure-'));
after(() => rmSync(directory, { recursive: true, force: true }));

const listeningServers = (): number => process.getActiveResourcesInfo().filter((name) => name === 'TCPServerWrap').length;

/** A closed server's handle leaves the active list a loop turn after its close callback: waits for the count (5 s at most). */
async function untilListeningServers(expected: number): Promise<number> {
  const deadline = Date.now() + 5000;
  while (listeningServers() !== expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  return listeningServers();
}

/** An engine double that answers health checks and counts its closes. */
function countingEngine(): InferenceEngine & { closes: number; healthChecks: number } {
  return {
    closes: 0,
    healthChecks: 0,
    async forward() { throw new Error('not used'); },
    async health() { this.healthChecks += 1; return { ok: true, models: ['test-model'] }; },
    async close() { this.closes += 1; },
  };
}

test('stats port taken: the start fails with EADDRINUSE, the engine is closed once, no listener is left, the proxy is not dialled', async () => {
  const proxy = net.createServer();
  let dialled = 0;
  proxy.on('connection', (socket) => { dialled += 1; socket.destroy(); });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const engine = countingEngine();
  try {
    const before = listeningServers();
    const config = workerConfigSchema.parse({
      engine_url: 'http://127.0.0.1:9', proxy_address: `127.0.0.1:${(proxy.address() as AddressInfo).port}`,
      http_port: (blocker.address() as AddressInfo).port, admin_token_file: join(directory, 'in-process', 'admin.token'),
    });
    await assert.rejects(startWorkerRunner(config, { engine, logger: createLogger('worker', { level: 'error' }), healthIntervalMs: 10 }), /EADDRINUSE/);
    assert.equal(engine.healthChecks, 1, 'the start got as far as the engine check');
    assert.equal(engine.closes, 1, 'the engine opened by an earlier step is closed');
    assert.equal(await untilListeningServers(before), before, 'no listener left behind');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(engine.healthChecks, 1, 'no health watch runs after the failed start');
    assert.equal(dialled, 0, 'the proxy connection never started');
  } finally {
    await new Promise((resolve) => blocker.close(resolve));
    await new Promise((resolve) => proxy.close(resolve));
  }
});

test('a worker process whose start failed exits by itself: nothing keeps its event loop alive', async () => {
  const engine = await startTestEngine({ host: '127.0.0.1', port: 0 });
  try {
    const { code, stdout: output } = await runChildScript(CHILD, [engine.url, join(directory, 'child')]);
    assert.equal(code, 0, `the child did not exit by itself (output: ${output})`);
    assert.match((JSON.parse(output.trim()) as { rejected?: string }).rejected ?? '', /EADDRINUSE/);
  } finally {
    await engine.close();
  }
});
