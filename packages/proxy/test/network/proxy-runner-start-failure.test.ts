/**
 * A proxy whose last start-up step fails (its stats port is taken) releases what the earlier
 * steps opened: the worker and client listeners are closed, the ledger too, and
 * nothing keeps the event loop alive (a child process that failed to start exits by itself).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@cocoon/protocol';
import { runChildScript } from '@cocoon/test-support';
import { proxyConfigSchema, startProxyRunner } from '../../src/index.ts';
import { InMemoryLedger } from '../../src/ledger/index.ts';

const CHILD = fileURLToPath(new URL('./proxy-start-failure-child.ts', import.meta.url));

const listeningServers = (): number => process.getActiveResourcesInfo().filter((name) => name === 'TCPServerWrap').length;

/** A closed server's handle leaves the active list a loop turn after its close callback: waits for the count (5 s at most). */
async function untilListeningServers(expected: number): Promise<number> {
  const deadline = Date.now() + 5000;
  while (listeningServers() !== expected && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  return listeningServers();
}

async function takenPort(): Promise<{ port: number; close(): Promise<void> }> {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  return { port: (blocker.address() as AddressInfo).port, close: () => new Promise((resolve) => blocker.close(() => resolve())) };
}

test('stats port taken: the start fails with EADDRINUSE, both listeners and the ledger are closed', async () => {
  const blocker = await takenPort();
  try {
    const released: string[] = [];
    const ledger = new InMemoryLedger();
    const closeLedger = ledger.close.bind(ledger);
    ledger.close = async () => { released.push('ledger'); await closeLedger(); };
    const before = listeningServers();
    await assert.rejects(
      startProxyRunner(proxyConfigSchema.parse({ client_port: 0, worker_port: 0, http_port: blocker.port, pow_difficulty: 2 }), {
        logger: createLogger('proxy', { level: 'error' }), ledger,
      }),
      /EADDRINUSE/,
    );
    assert.equal(await untilListeningServers(before), before, 'the worker and client listeners are closed again');
    assert.equal(released.length, 1, 'the ledger closed once');
  } finally {
    await blocker.close();
  }
});

test('the control for that count: a started proxy holds its worker, client and stats listeners; close() releases all three', async () => {
  const before = await untilListeningServers(0); // the first test's servers are gone
  const proxy = await startProxyRunner(proxyConfigSchema.parse({ client_port: 0, worker_port: 0, http_port: 0, pow_difficulty: 2 }), {
    logger: createLogger('proxy', { level: 'error' }),
  });
  try {
    assert.equal(listeningServers(), before + 3);
  } finally {
    await proxy.close();
  }
  assert.equal(await untilListeningServers(before), before);
});

test('a proxy process whose start failed exits by itself: nothing keeps its event loop alive', async () => {
  const { code, stdout: output } = await runChildScript(CHILD);
  assert.equal(code, 0, `the child did not exit by itself (output: ${output})`);
  const result = JSON.parse(output.trim()) as { rejected?: string };
  assert.match(result.rejected ?? '', /EADDRINUSE/);
});
