/**
 * Memory of a proxy (its own process) under 30 unauthenticated peers that each announce a
 * 16 MiB frame and send 4 MiB of it: every one is closed at once, the proxy's RSS (after a full
 * GC) grows by less than 64 MiB while they are connected and stays so after they leave, and the
 * proxy then serves a real request. The measured numbers are printed as test diagnostics.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { CocoonSession } from '@cocoon/protocol';
import { authorizedClient, nextMessage, runQuery } from './proxy-test-peer.ts';
import { FRONT_DOOR_MODEL, MIB, answeringWorker, partialFrameAttacker, socketClosedWithin } from './front-door-peers.ts';

const CHILD = fileURLToPath(new URL('./front-door-memory-child.ts', import.meta.url));
const ATTACKERS = 30;
const SENT_PER_ATTACKER = 4 * MIB;
const ALLOWED_GROWTH = 64 * MIB;

let child: ChildProcessByStdio<Writable, Readable, null>;
let lines: Interface;
let ports: { client_port: number; worker_port: number };
const sessions: CocoonSession[] = [];

const nextLine = (): Promise<string> => new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('no answer from the proxy process within 30 s')), 30_000);
  lines.once('line', (line) => {
    clearTimeout(timer);
    resolve(line);
  });
});
async function rss(): Promise<number> {
  const answer = nextLine();
  child.stdin.write('rss\n');
  return (JSON.parse(await answer) as NodeJS.MemoryUsage).rss;
}

before(async () => {
  child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD, JSON.stringify({ max_unauthenticated_per_address: 64 })], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  lines = createInterface({ input: child.stdout });
  ports = JSON.parse(await nextLine()) as typeof ports;
});

after(async () => {
  for (const session of sessions) session.close();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.stdin.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
});

test('30 peers announcing 16 MiB frames: closed at once, RSS bounded and returned, requests still served', async (t) => {
  // Warm up the proxy's code paths (handshakes, a request) before the baseline.
  const warmWorker = await answeringWorker(ports.worker_port, 10);
  const warmClient = await authorizedClient(ports.client_port);
  sessions.push(warmWorker.session, warmClient);
  const warmed = nextMessage(warmClient, 'client.queryAnswerEx');
  warmClient.send(runQuery(FRONT_DOOR_MODEL));
  await warmed;
  const baseline = await rss();

  const attackers = await Promise.all(Array.from({ length: ATTACKERS }, (_, index) =>
    partialFrameAttacker(index % 2 === 0 ? ports.client_port : ports.worker_port, index % 2 === 0 ? 'client' : 'worker', 16 * MIB, SENT_PER_ATTACKER)));
  const closes = await Promise.allSettled(attackers.map((socket) => socketClosedWithin(socket, 5000)));
  const during = await rss();
  for (const socket of attackers) socket.destroy();
  let afterLeaving = await rss();
  for (let attempt = 0; afterLeaving - baseline >= ALLOWED_GROWTH && attempt < 20; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 250)); // give the proxy time to see the closes
    afterLeaving = await rss();
  }
  const mib = (bytes: number) => `${(bytes / MIB).toFixed(1)} MiB`;
  t.diagnostic(`proxy RSS: baseline ${mib(baseline)}, with ${ATTACKERS} attackers ${mib(during)} (+${mib(during - baseline)}), after they left ${mib(afterLeaving)} (+${mib(afterLeaving - baseline)})`);

  assert.equal(closes.filter((close) => close.status === 'fulfilled').length, ATTACKERS, 'every attacker was closed by the proxy');
  assert.ok(during - baseline < ALLOWED_GROWTH, `RSS grew by ${mib(during - baseline)} with the attackers connected`);
  assert.ok(afterLeaving - baseline < ALLOWED_GROWTH, `RSS stayed ${mib(afterLeaving - baseline)} above the baseline after they left`);

  const client = await authorizedClient(ports.client_port);
  sessions.push(client);
  const answer = nextMessage(client, 'client.queryAnswerEx');
  client.send(runQuery(FRONT_DOOR_MODEL));
  assert.equal((await answer)._, 'client.queryAnswerEx');
});
