/**
 * The proxy's front door on both ports, over real PoW + TLS on loopback: peers that only ping
 * are closed at the authorization deadline while authorized peers keep working; before
 * authorization a frame header over the small limit closes the session at once; the caps on
 * unauthenticated connections per address and in total (per port); large frames after authorization.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CocoonSession, TlObject } from '@cocoon/protocol';
import { authorizedClient, clientParams, nextMessage, runQuery, startTestProxy, type TestProxy } from './proxy-test-peer.ts';
import {
  FRONT_DOOR_MODEL,
  MIB,
  answeringWorker,
  closedWithin,
  connectionsRejected,
  dialProxy,
  partialFrameAttacker,
  pingingSession,
  socketClosedWithin,
} from './front-door-peers.ts';

const AUTH_TIMEOUT_MS = 4000;

describe('authorization deadline', () => {
  let proxy: TestProxy;
  const sessions: CocoonSession[] = [];
  before(async () => {
    proxy = await startTestProxy({ auth_timeout_ms: AUTH_TIMEOUT_MS, max_unauthenticated_per_address: 64 });
  });
  after(async () => {
    for (const session of sessions) session.close();
    await proxy.handle.close();
  });

  test('20 ping-only sessions per port are closed by the deadline; authorized peers keep working', async () => {
    const worker = await answeringWorker(proxy.workerPort, 100);
    const client = await authorizedClient(proxy.clientPort);
    sessions.push(worker.session, client);
    const idle = await Promise.all([
      ...Array.from({ length: 20 }, () => pingingSession(proxy.clientPort, 'client')),
      ...Array.from({ length: 20 }, () => pingingSession(proxy.workerPort, 'worker')),
    ]);
    sessions.push(...idle);
    // Pinging every 200 ms keeps them far from the 60 s idle timeout: only the deadline can close them.
    await Promise.all(idle.map((session) => closedWithin(session, AUTH_TIMEOUT_MS + 15_000)));
    assert.ok(worker.session.isOpen && client.isOpen, 'authorized peers outlive the deadline');
    const types = await client.query({ _: 'client.getWorkerTypesV2' });
    assert.deepEqual((types.types as TlObject[]).map((type) => type.name), [FRONT_DOOR_MODEL]);
    const answer = nextMessage(client, 'client.queryAnswerEx');
    client.send(runQuery(FRONT_DOOR_MODEL));
    assert.equal(((await answer).final_info as TlObject | undefined)?._, 'client.queryFinalInfo');
    assert.ok(await connectionsRejected(proxy.statsUrl) >= 40, 'expired connections are counted');
  });
});

describe('frame limit before authorization', () => {
  let proxy: TestProxy;
  const sessions: CocoonSession[] = [];
  before(async () => {
    proxy = await startTestProxy({ max_unauthenticated_per_address: 64 });
  });
  after(async () => {
    for (const session of sessions) session.close();
    await proxy.handle.close();
  });

  test('30 peers announcing 16 MiB frames are each closed at once; the proxy then serves a request', async () => {
    const attackers = await Promise.all(Array.from({ length: 30 }, (_, index) =>
      partialFrameAttacker(index % 2 === 0 ? proxy.clientPort : proxy.workerPort, index % 2 === 0 ? 'client' : 'worker', 16 * MIB, 256 * 1024)));
    // Far below the 10 s deadline: the header alone closes them.
    await Promise.all(attackers.map((socket) => socketClosedWithin(socket, 3000)));
    const worker = await answeringWorker(proxy.workerPort, 10);
    const client = await authorizedClient(proxy.clientPort);
    sessions.push(worker.session, client);
    const answer = nextMessage(client, 'client.queryAnswerEx');
    client.send(runQuery(FRONT_DOOR_MODEL));
    assert.equal((await answer)._, 'client.queryAnswerEx');
  });

  test('a frame just over the limit before authorization closes the session; after it, 1 MiB frames pass both ways', async () => {
    const early = await pingingSession(proxy.clientPort, 'client', 10_000);
    sessions.push(early);
    // A handshake query is what an unauthenticated peer may send, but not one over 64 KiB.
    const oversized = early.query({ _: 'client.connectToProxy', params: { ...clientParams(), client_owner_address: 'x'.repeat(65 * 1024) }, min_config_version: 0 });
    await assert.rejects(oversized, (error: unknown) => (error as { code?: string }).code === 'CCN_ERR_SESSION_CLOSED');
    await closedWithin(early, 3000);

    const worker = await answeringWorker(proxy.workerPort, MIB, 'test/front-door-large');
    const client = await authorizedClient(proxy.clientPort);
    sessions.push(worker.session, client);
    const answer = nextMessage(client, 'client.queryAnswerEx');
    client.send(runQuery('test/front-door-large', { query: Buffer.alloc(MIB, 0x61) })); // client → proxy: 1 MiB
    const answered = await answer; // worker → proxy: 1 MiB
    assert.deepEqual(worker.querySizes, [MIB]);
    assert.ok((answered.answer as Buffer).length > MIB);
    assert.ok(client.isOpen && worker.session.isOpen);
  });
});

describe('caps on unauthenticated connections', () => {
  let proxy: TestProxy;
  const sessions: CocoonSession[] = [];
  before(async () => {
    proxy = await startTestProxy({ auth_timeout_ms: 60_000, max_unauthenticated_per_address: 3, max_unauthenticated_connections: 100 });
  });
  after(async () => {
    for (const session of sessions) session.close();
    await proxy.handle.close();
  });
  const open = async (role: 'client' | 'worker' = 'client', port = proxy.clientPort) => {
    const session = await pingingSession(port, role, 10_000);
    sessions.push(session);
    return session;
  };
  /** Dials until accepted (the proxy frees a slot when it sees the close, a moment later). */
  const openEventually = async () => {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await open();
      } catch (error) {
        if (attempt >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  };

  test('the 4th unauthenticated connection from one address is closed; authorizing or leaving frees a slot', async () => {
    const rejectedBefore = await connectionsRejected(proxy.statsUrl);
    const first = await open();
    const waiting = [first, await open(), await open()];
    await assert.rejects(dialProxy(proxy.clientPort, 'client'), /closed|ECONNRESET|socket hang up/i);
    assert.equal(await connectionsRejected(proxy.statsUrl), rejectedBefore + 1, 'the refusal is counted');
    assert.ok(waiting.every((session) => session.isOpen), 'the refused one does not disturb the others');

    // Authorize the first: it no longer counts.
    const connected = await first.query({ _: 'client.connectToProxy', params: { _: 'client.params', flags: 3, client_owner_address: 'UQCjho1xTzl67SdWC7B4mmfcpNrQYBpBqsV8GJVuXi4nIlDg', is_test: true, min_proto_version: 1, max_proto_version: 2 }, min_config_version: 0 });
    assert.equal(connected._, 'client.connectedToProxy');
    assert.equal((await first.query({ _: 'client.authorizeWithProxyShort', data: Buffer.alloc(0) }))._, 'client.authorizationWithProxySuccess');
    const fourth = await open();
    await assert.rejects(dialProxy(proxy.clientPort, 'client'));

    // One leaves: a new one is accepted again.
    waiting[1]!.close();
    const fifth = await openEventually();
    assert.ok(fourth.isOpen && fifth.isOpen && first.isOpen);

    // The worker port has its own door: client-port waiting connections do not count there.
    const worker = await open('worker', proxy.workerPort);
    assert.ok(worker.isOpen);
  });
});

describe('total cap on unauthenticated connections', () => {
  let proxy: TestProxy;
  const sessions: CocoonSession[] = [];
  before(async () => {
    proxy = await startTestProxy({ auth_timeout_ms: 60_000, max_unauthenticated_per_address: 100, max_unauthenticated_connections: 2 });
  });
  after(async () => {
    for (const session of sessions) session.close();
    await proxy.handle.close();
  });

  test('over the total cap a new worker connection is closed; an authorized worker frees its slot', async () => {
    const first = await answeringWorker(proxy.workerPort, 10);
    sessions.push(first.session);
    const waiting = await Promise.all([pingingSession(proxy.workerPort, 'worker', 10_000), pingingSession(proxy.workerPort, 'worker', 10_000)]);
    sessions.push(...waiting);
    await assert.rejects(dialProxy(proxy.workerPort, 'worker'));
    waiting[0]!.close();
    let accepted: CocoonSession | undefined;
    for (let attempt = 0; !accepted && attempt < 20; attempt += 1) {
      accepted = await pingingSession(proxy.workerPort, 'worker', 10_000).catch(async () => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        return undefined;
      });
    }
    assert.ok(accepted?.isOpen, 'a slot opened when one left');
    sessions.push(accepted);
    assert.ok(first.session.isOpen);
  });
});
