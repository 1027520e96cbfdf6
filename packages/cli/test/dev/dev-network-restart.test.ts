/**
 * Supervision of the dev network with fake child scripts and fake backoff timers: a child that
 * dies is restarted with the same spec, the backoff doubles and resets, stop() during a backoff
 * cancels the restart, a restart that never gets ready is stopped, and endless failures give up.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@cocoon/protocol';
import { startDevNetwork, type DevNetwork, type DevNetworkOptions } from '../../src/dev/dev-network.ts';
import type { DevChildEvent, DevSupervisionTimers } from '../../src/dev/dev-child-supervisor.ts';
import { writeFakeChildScript, type FakeChildBehaviour } from './fake-child.ts';

let directory = '';
let script = '';
before(() => {
  directory = mkdtempSync(join(tmpdir(), 'cocoon-dev-restart-test-'));
  script = writeFakeChildScript(directory);
});
after(() => rmSync(directory, { recursive: true, force: true }));

/** Test double of the backoff timers: nothing fires until the test says so. */
class FakeTimers implements DevSupervisionTimers {
  nowMs = 0;
  readonly pending: Array<{ callback: () => void; delayMs: number }> = [];
  setTimeout(callback: () => void, delayMs: number): unknown {
    const entry = { callback, delayMs };
    this.pending.push(entry);
    return entry;
  }
  clearTimeout(handle: unknown): void {
    const index = this.pending.indexOf(handle as { callback: () => void; delayMs: number });
    if (index !== -1) this.pending.splice(index, 1);
  }
  now(): number {
    return this.nowMs;
  }
  /** Fires the only pending timer, returning its delay. */
  fire(): number {
    assert.equal(this.pending.length, 1, 'exactly one restart is scheduled');
    const entry = this.pending.shift()!;
    entry.callback();
    return entry.delayMs;
  }
}

/** The child events, with a bounded wait for the next one. */
class EventLog {
  readonly events: DevChildEvent[] = [];
  private seen = 0;
  readonly onEvent = (event: DevChildEvent): void => void this.events.push(event);

  async next(timeoutMs = 10_000): Promise<DevChildEvent> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length <= this.seen) {
      if (Date.now() > deadline) throw new Error(`no child event within ${timeoutMs} ms (seen: ${JSON.stringify(this.events)})`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return this.events[this.seen++]!;
  }
}

/** `plan(name, launch)` picks the fake behaviour of each launch (1 = the first start). */
function harness(plan: (name: string, launch: number) => FakeChildBehaviour = () => 'ready', extra: Partial<DevNetworkOptions> = {}) {
  const timers = new FakeTimers();
  const events = new EventLog();
  const logs: string[] = [];
  const launches = new Map<string, number>();
  const options: DevNetworkOptions = {
    engine: 'test', basePortOffset: 32000, readyTimeoutMs: 10_000, stopGraceMs: 2_000, timers,
    launch: (spec) => {
      const launch = (launches.get(spec.name) ?? 0) + 1;
      launches.set(spec.name, launch);
      return { command: process.execPath, args: [script, spec.name, ...spec.args], env: { ...process.env, FAKE_PLAN: JSON.stringify({ [spec.name]: plan(spec.name, launch) }) } };
    },
    onLine: () => {},
    onChildEvent: events.onEvent,
    logger: createLogger('dev', { write: (line) => logs.push(line) }),
    ...extra,
  };
  return { options, timers, events, logs, launches };
}

const childNamed = (network: DevNetwork, name: string) => {
  const child = network.children.find((candidate) => candidate.name === name);
  assert.ok(child, `child ${name}`);
  return child;
};

const isAlive = (pid: number | undefined): boolean => {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function killAndExpectRestartIn(network: DevNetwork, context: ReturnType<typeof harness>, name: string, delayMs: number): Promise<void> {
  process.kill(childNamed(network, name).pid!, 'SIGKILL');
  const exited = await context.events.next();
  assert.deepEqual(exited, { kind: 'exited', name, exit: { name, code: null, signal: 'SIGKILL' }, restartInMs: delayMs });
  assert.equal(context.timers.fire(), delayMs);
  const restarted = await context.events.next();
  assert.equal(restarted.kind, 'restarted');
}

describe('dev network supervision', () => {
  test('a dead worker is restarted with the same spec after 250 ms; the others are untouched', async () => {
    const context = harness();
    const network = await startDevNetwork(context.options);
    try {
      const victim = childNamed(network, 'worker-1');
      const index = network.children.indexOf(victim);
      const others = network.children.filter((child) => child !== victim);
      process.kill(victim.pid!, 'SIGKILL');
      assert.deepEqual(await context.events.next(), { kind: 'exited', name: 'worker-1', exit: { name: 'worker-1', code: null, signal: 'SIGKILL' }, restartInMs: 250 });
      assert.equal(context.launches.get('worker-1'), 1, 'nothing restarts before the backoff fires');
      assert.equal(context.timers.fire(), 250);
      const restarted = await context.events.next();
      assert.equal(restarted.kind, 'restarted');
      assert.equal(context.launches.get('worker-1'), 2);
      const replacement = network.children[index]!;
      assert.equal(replacement.name, 'worker-1');
      assert.notEqual(replacement, victim);
      assert.notEqual(replacement.pid, victim.pid);
      assert.ok(replacement.running && isAlive(replacement.pid));
      assert.deepEqual(replacement.readyInfo?.args, victim.readyInfo?.args, 'same spec (flags, ports, data directories)');
      assert.notEqual(replacement.readyInfo, victim.readyInfo, 'the new ready line replaced the old one');
      if (restarted.kind === 'restarted') assert.equal(restarted.readyInfo, replacement.readyInfo);
      for (const other of others) {
        assert.ok(network.children.includes(other), `${other.name} kept its process`);
        assert.ok(other.running && isAlive(other.pid));
      }
      assert.deepEqual([...context.launches.values()], [1, 1, 2, 1, 1], 'only worker-1 was launched again');
      assert.ok(context.logs.some((line) => line.includes('worker-1 died (signal SIGKILL); restarting it in 250 ms')), context.logs.join('\n'));
      assert.ok(context.logs.some((line) => line.includes('worker-1 restarted and ready again (restart 1')));
    } finally {
      await network.stop();
    }
    for (const child of network.children) assert.equal(isAlive(child.pid), false);
  });

  test('the backoff doubles with every death in a row up to its maximum and resets after 30 s up', async () => {
    const context = harness(() => 'ready', { restart: { maxDelayMs: 1000 } });
    const network = await startDevNetwork(context.options);
    try {
      for (const delay of [250, 500, 1000, 1000]) await killAndExpectRestartIn(network, context, 'proxy', delay);
      context.timers.nowMs += 29_999;
      await killAndExpectRestartIn(network, context, 'proxy', 1000);
      context.timers.nowMs += 30_000;
      await killAndExpectRestartIn(network, context, 'proxy', 250);
      assert.equal(context.launches.get('proxy'), 7);
    } finally {
      await network.stop();
    }
  });

  test('stop() during a backoff cancels the restart', async () => {
    const context = harness();
    const network = await startDevNetwork(context.options);
    process.kill(childNamed(network, 'client').pid!, 'SIGKILL');
    assert.equal((await context.events.next()).kind, 'exited');
    assert.equal(context.timers.pending.length, 1);
    await network.stop();
    assert.equal(context.timers.pending.length, 0, 'the scheduled restart was cancelled');
    assert.equal(context.launches.get('client'), 1);
    for (const child of network.children) assert.equal(isAlive(child.pid), false);
    assert.deepEqual(context.events.events.map((event) => event.kind), ['exited'], 'no restart, and stopping is no death');
  });

  test('a restart that never prints its ready line is stopped and tried again', async () => {
    const context = harness((name, launch) => (name === 'worker-2' && launch === 2 ? 'silent' : 'ready'), { readyTimeoutMs: 1500 });
    const network = await startDevNetwork(context.options);
    try {
      process.kill(childNamed(network, 'worker-2').pid!, 'SIGKILL');
      assert.equal((await context.events.next()).kind, 'exited');
      context.timers.fire();
      const timedOut = await context.events.next();
      assert.deepEqual(timedOut, { kind: 'exited', name: 'worker-2', exit: { name: 'worker-2', code: 0, signal: null }, restartInMs: 500 });
      assert.ok(context.logs.some((line) => line.includes('worker-2 did not print its ready line within 1.5 s')));
      assert.ok(context.logs.some((line) => line.includes('worker-2 failed to restart (exit code 0); restarting it in 500 ms')));
      context.timers.fire();
      assert.equal((await context.events.next()).kind, 'restarted');
      assert.ok(childNamed(network, 'worker-2').running);
    } finally {
      await network.stop();
    }
  });

  test('restarts that keep failing before ready give up: childFailure resolves and the network stops', async () => {
    const context = harness((name, launch) => (name === 'worker-2' && launch > 1 ? 'exit-early' : 'ready'), { restart: { giveUpAfter: 3 } });
    const network = await startDevNetwork(context.options);
    const before = network.children.map((child) => child.pid);
    process.kill(childNamed(network, 'worker-2').pid!, 'SIGKILL');
    const delays: number[] = [];
    for (;;) {
      const event = await context.events.next();
      if (event.kind === 'gave-up') {
        assert.deepEqual(event, { kind: 'gave-up', name: 'worker-2', exit: { name: 'worker-2', code: 3, signal: null }, failedRestarts: 3 });
        break;
      }
      assert.equal(event.kind, 'exited');
      if (event.kind === 'exited') delays.push(event.restartInMs);
      context.timers.fire();
    }
    assert.deepEqual(delays, [250, 500, 1000]);
    assert.deepEqual(await network.childFailure, { name: 'worker-2', code: 3, signal: null });
    await network.stop();
    assert.ok(context.logs.some((line) => line.includes('worker-2 failed to restart 3 times in a row (last: exit code 3); giving up')));
    assert.ok(context.logs.some((line) => line.includes('worker-2 cannot be restarted (exit code 3); stopping the dev network')));
    for (const pid of [...before, ...network.children.map((child) => child.pid)]) assert.equal(isAlive(pid), false);
    assert.equal(context.timers.pending.length, 0);
  });
});
