/** Orchestrator tests with fake child scripts: start order/args, ready, stop, failures, a restart. */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createLogger } from '@cocoon/protocol';
import { startDevNetwork, type DevNetworkOptions } from '../../src/dev/dev-network.ts';
import { describeDevNetwork } from '../../src/commands/dev-command.ts';
import { writeFakeChildScript, type FakeChildBehaviour } from './fake-child.ts';

let directory = '';
let script = '';
before(() => {
  directory = mkdtempSync(join(tmpdir(), 'cocoon-dev-test-'));
  script = writeFakeChildScript(directory);
});
after(() => rmSync(directory, { recursive: true, force: true }));

interface Harness {
  options: DevNetworkOptions;
  lines: string[];
  logs: string[];
  pids: () => number[];
}

/** Options that run the fake script for every child; ports are arbitrary (fakes bind nothing). */
const harness = (plan: Record<string, FakeChildBehaviour> = {}, extra: Partial<DevNetworkOptions> = {}): Harness => {
  const lines: string[] = [];
  const logs: string[] = [];
  return {
    lines,
    logs,
    pids: () => lines.flatMap((line) => /pid=(\d+)/.exec(line)?.slice(1).map(Number) ?? []),
    options: {
      engine: 'test',
      basePortOffset: 30000,
      readyTimeoutMs: 10_000,
      stopGraceMs: 2_000,
      launch: (spec) => ({ command: process.execPath, args: [script, spec.name, ...spec.args], env: { ...process.env, FAKE_PLAN: JSON.stringify(plan) } }),
      onLine: (name, stream, line) => lines.push(`${stream} [${name}] ${line}`),
      logger: createLogger('dev', { write: (line) => logs.push(line) }),
      ...extra,
    },
  };
};

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const argsOf = (info: Record<string, unknown> | undefined): string[] => (info?.args as string[] | undefined) ?? [];
const flag = (args: string[], name: string): string | undefined => args[args.indexOf(name) + 1];

describe('startDevNetwork', () => {
  test('starts engine, proxy, two workers and client with consistent ports, then stops them', async () => {
    const { options, lines, logs, pids } = harness();
    const network = await startDevNetwork(options);
    try {
      assert.deepEqual(network.children.map((child) => child.name), ['test-engine', 'proxy', 'worker-1', 'worker-2', 'client']);
      assert.equal(network.baseUrl, 'http://127.0.0.1:40000/v1');
      assert.equal(network.engineUrl, 'http://127.0.0.1:38000');
      assert.equal(network.usesTestEngine, true);
      assert.deepEqual(network.statsUrls, {
        proxy: 'http://127.0.0.1:41000/stats',
        'worker-1': 'http://127.0.0.1:42000/stats',
        'worker-2': 'http://127.0.0.1:42010/stats',
        client: 'http://127.0.0.1:40000/stats',
      });
      const info = Object.fromEntries(network.children.map((child) => [child.name, argsOf(child.readyInfo)]));
      assert.equal(flag(info.proxy ?? [], '--client-port'), '41002');
      assert.equal(flag(info.proxy ?? [], '--worker-port'), '41001');
      assert.equal(flag(info.proxy ?? [], '--http-port'), '41000');
      assert.equal(flag(info.proxy ?? [], '--pow-difficulty'), '16');
      for (const worker of ['worker-1', 'worker-2']) {
        assert.equal(flag(info[worker] ?? [], '--engine-url'), 'http://127.0.0.1:38000');
        assert.equal(flag(info[worker] ?? [], '--proxy-address'), '127.0.0.1:41001');
      }
      assert.equal(flag(info['worker-2'] ?? [], '--http-port'), '42010');
      assert.equal(flag(info.client ?? [], '--proxy-address'), '127.0.0.1:41002');
      const tokenDir = resolve('.cocoon/dev');
      assert.deepEqual(network.adminTokenFiles, Object.fromEntries(['proxy', 'worker-1', 'worker-2', 'client'].map((name) => [name, join(tokenDir, name, 'admin.token')])));
      for (const name of ['proxy', 'worker-1', 'worker-2', 'client']) assert.equal(flag(info[name] ?? [], '--admin-token-file'), network.adminTokenFiles[name], name);
      assert.deepEqual(JSON.parse(flag(info.client ?? [], '--http-cors-origins') ?? 'null'), ['http://127.0.0.1:40000'], "the client page's own origin");
      assert.ok(lines.includes('stdout [proxy] after ready'), 'stdout multiplexed with the name');
      assert.ok(lines.includes('stderr [worker-2] pid=' + network.children[3]?.pid + ' dev-child=1'), 'stderr multiplexed');
      assert.ok(logs.some((line) => line.includes('TEST ENGINE')), 'logs that a test engine is used');
      assert.match(describeDevNetwork(network)[0] ?? '', /^COCOON dev network ready: http:\/\/127\.0\.0\.1:40000\/v1$/);
    } finally {
      await network.stop();
    }
    for (const child of network.children) assert.equal(child.running, false);
    assert.equal(lines.filter((line) => line.endsWith('got SIGTERM')).length, 5);
    for (const pid of pids()) assert.equal(isAlive(pid), false);
  });

  test('an engine URL skips the test engine; ports and worker count are configurable', async () => {
    const { options } = harness({}, { engine: 'openai', engineUrl: 'http://127.0.0.1:9999', workers: 1, ports: { clientHttp: 45555, workerHttp: 45600 } });
    const network = await startDevNetwork(options);
    try {
      assert.deepEqual(network.children.map((child) => child.name), ['proxy', 'worker-1', 'client']);
      assert.equal(network.baseUrl, 'http://127.0.0.1:45555/v1');
      assert.equal(flag(argsOf(network.children[1]?.readyInfo), '--engine-url'), 'http://127.0.0.1:9999');
      assert.equal(flag(argsOf(network.children[1]?.readyInfo), '--http-port'), '45600');
      assert.equal(network.usesTestEngine, false);
    } finally {
      await network.stop();
    }
  });

  test('a child that exits before it is ready fails start-up, naming it, and stops the others', async () => {
    const { options, pids } = harness({ 'worker-2': 'exit-early' });
    await assert.rejects(startDevNetwork(options), (error: Error) => {
      assert.match(error.message, /worker-2 exited before it was ready \(exit code 3\)/);
      assert.match(error.message, /boom: bad config/);
      return true;
    });
    assert.ok(pids().length >= 2, "engine and proxy were running");
    for (const pid of pids()) assert.equal(isAlive(pid), false);
  });

  test('a child that never prints its ready line times out, naming it', async () => {
    const { options, pids } = harness({ client: 'silent' }, { readyTimeoutMs: 700 });
    await assert.rejects(startDevNetwork(options), /client did not print its ready line within 0\.7 s/);
    for (const pid of pids()) assert.equal(isAlive(pid), false);
  });

  test('a child dying after start is restarted (real timers) while the others keep running', async () => {
    const events: string[] = [];
    const { options, logs, pids } = harness({}, { onChildEvent: (event) => events.push(`${event.kind} ${event.name}`) });
    const network = await startDevNetwork(options);
    try {
      const victim = network.children.find((child) => child.name === 'worker-1');
      const others = network.children.filter((child) => child !== victim).map((child) => child.pid);
      assert.ok(victim?.pid);
      process.kill(victim.pid, 'SIGKILL');
      const deadline = Date.now() + 10_000;
      while (!events.includes('restarted worker-1') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(events, ['exited worker-1', 'restarted worker-1']);
      const replacement = network.children.find((child) => child.name === 'worker-1');
      assert.ok(replacement && replacement !== victim && replacement.running);
      assert.notEqual(replacement.pid, victim.pid);
      assert.deepEqual(network.children.filter((child) => child.name !== 'worker-1').map((child) => child.pid), others, 'the others were not restarted');
      assert.ok(logs.some((line) => line.includes('worker-1 died (signal SIGKILL); restarting it in 250 ms')));
    } finally {
      await network.stop();
    }
    for (const pid of pids()) assert.equal(isAlive(pid), false);
  });

  test('a child ignoring SIGTERM is killed after the grace period', async () => {
    const { options } = harness({ proxy: 'stubborn' }, { stopGraceMs: 300 });
    const network = await startDevNetwork(options);
    const started = Date.now();
    await network.stop();
    const proxy = network.children.find((child) => child.name === 'proxy');
    assert.deepEqual(await proxy?.exited, { name: 'proxy', code: null, signal: 'SIGKILL' });
    assert.ok(Date.now() - started >= 250);
  });

  test('an abort signal cancels a start-up in progress', async () => {
    const controller = new AbortController();
    const { options, pids } = harness({ client: 'silent' }, { signal: controller.signal });
    const starting = startDevNetwork(options);
    setTimeout(() => controller.abort(), 300);
    await assert.rejects(starting, /start-up cancelled/);
    for (const pid of pids()) assert.equal(isAlive(pid), false);
  });
});
