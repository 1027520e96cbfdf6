/**
 * Our proxy's handshakes at every protocol version (§3.3), over real sessions: a 9060ce5 worker
 * (3..4, flags 3), one sending a machine description (flags 7), a 3-only one, an old 1..2 one, a
 * 9060ce5 client (1..4) and an old client (1..2) are accepted with `min(peer max, 4)`; a version-0 peer
 * (no version bit, or max 0) gets 0, as from the reference proxy (0..4); a peer above 4 and a worker with
 * a malformed description are refused with a clear error and never registered.
 * `/jsonstats` shows each worker's negotiated version and description.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PeerReportedError, WireErrorCode, isTlObject, type CocoonSession, type TlObject } from '@cocoon/protocol';
import { reference9060ce5ClientParams, reference9060ce5WorkerParams } from '@cocoon/test-support';
import { closed, openPeerSession, startTestProxy, type TestProxy } from '../network/proxy-test-peer.ts';

let proxy: TestProxy;
let directory: string;
const sessions: CocoonSession[] = [];

before(async () => {
  directory = mkdtempSync(join(tmpdir(), 'cocoon-proxy-versions-'));
  proxy = await startTestProxy({ admin_token_file: join(directory, 'admin.token') });
});
after(async () => {
  for (const session of sessions) session.close();
  await proxy.handle.close();
  rmSync(directory, { recursive: true, force: true });
});

async function peer(role: 'client' | 'worker'): Promise<CocoonSession> {
  const session = await openPeerSession(role === 'worker' ? proxy.workerPort : proxy.clientPort, role, false);
  sessions.push(session);
  return session;
}

/** worker.connectToProxy → the proxy.params it answers with. */
async function connectWorker(params: TlObject): Promise<{ session: CocoonSession; proxyParams: TlObject }> {
  const session = await peer('worker');
  const connected = await session.query({ _: 'worker.connectToProxy', params });
  assert.ok(isTlObject(connected, 'worker.connectedToProxy'));
  return { session, proxyParams: connected.params as TlObject };
}

async function workerConnections(): Promise<Array<Record<string, unknown>>> {
  const stats = await (await fetch(new URL('/jsonstats', proxy.statsUrl))).json() as { worker_connections: Array<Record<string, unknown>> };
  return stats.worker_connections;
}

async function refusal(session: CocoonSession, query: TlObject): Promise<PeerReportedError> {
  const error = await session.query(query).then(() => undefined, (failure: unknown) => failure);
  assert.ok(error instanceof PeerReportedError, `refused, got ${String(error)}`);
  await closed(session);
  return error;
}

describe('worker handshakes', () => {
  test('a 9060ce5 worker (3..4, flags 3) gets protocol 4', async () => {
    const owner = 'UQ-worker-9060ce5';
    const { proxyParams } = await connectWorker(reference9060ce5WorkerParams({ ownerAddress: owner }));
    assert.equal(proxyParams.flags, 3);
    assert.equal(proxyParams.proto_version, 4);
    const entry = (await workerConnections()).find((worker) => worker.owner_address === owner)!;
    assert.equal(entry.proto_version, 4);
    assert.equal(entry.machine_description, '{}', 'none sent: {} as the reference');
  });

  test('a worker sending machine_description_json (flags 7) has it stored and shown', async () => {
    const owner = 'UQ-worker-described';
    const description = '{"gpu":"NVIDIA H200","gpu_count":8}';
    const { proxyParams } = await connectWorker(reference9060ce5WorkerParams({ ownerAddress: owner, machineDescriptionJson: description }));
    assert.equal(proxyParams.proto_version, 4);
    const entry = (await workerConnections()).find((worker) => worker.owner_address === owner)!;
    assert.equal(entry.machine_description, description);
    assert.match(String(entry.connection_id), /^worker-\d+$/);
  });

  test('a 3-only worker gets 3, a b75d444 worker (1..2) gets 2', async () => {
    assert.equal((await connectWorker(reference9060ce5WorkerParams({ ownerAddress: 'UQ-w3', maxProtoVersion: 3 }))).proxyParams.proto_version, 3);
    assert.equal((await connectWorker(reference9060ce5WorkerParams({ ownerAddress: 'UQ-w2', minProtoVersion: 1, maxProtoVersion: 2 }))).proxyParams.proto_version, 2);
    const versions = Object.fromEntries((await workerConnections()).map((worker) => [worker.owner_address, worker.proto_version]));
    assert.equal(versions['UQ-w3'], 3);
    assert.equal(versions['UQ-w2'], 2);
  });

  test('a version-0 worker (no version bit) gets 0: proxy.params flags 1 without proto_version', async () => {
    const { proxyParams } = await connectWorker({ ...reference9060ce5WorkerParams({ ownerAddress: 'UQ-w0' }), flags: 1 });
    assert.equal(proxyParams.flags, 1);
    assert.equal(proxyParams.proto_version, undefined);
    const versions = Object.fromEntries((await workerConnections()).map((worker) => [worker.owner_address, worker.proto_version]));
    assert.equal(versions['UQ-w0'], 0);
  });

  test('a worker speaking only 5.. is refused, naming both ranges', async () => {
    const future = await refusal(await peer('worker'), { _: 'worker.connectToProxy', params: reference9060ce5WorkerParams({ ownerAddress: 'UQ-w5', minProtoVersion: 5, maxProtoVersion: 6 }) });
    assert.equal(future.wireCode, WireErrorCode.protoViolation);
    assert.equal(future.message, 'no common protocol version: worker speaks 5..6, this runner 0..4');
    const owners = (await workerConnections()).map((worker) => worker.owner_address);
    assert.ok(!owners.includes('UQ-w5'));
  });

  test('a malformed machine description is refused', async () => {
    const error = await refusal(await peer('worker'), { _: 'worker.connectToProxy', params: reference9060ce5WorkerParams({ ownerAddress: 'UQ-bad', machineDescriptionJson: '[1,2]' }) });
    assert.equal(error.message, 'machine_description_json is not a JSON object');
  });
});

describe('client handshakes', () => {
  test('a 9060ce5 client (1..4) gets 4, an old client (1..2) gets 2', async () => {
    for (const [max, expected] of [[4, 4], [2, 2]] as const) {
      const session = await peer('client');
      const connected = await session.query({ _: 'client.connectToProxy', params: reference9060ce5ClientParams({ maxProtoVersion: max }), min_config_version: 0 });
      assert.ok(isTlObject(connected, 'client.connectedToProxy'));
      assert.equal(connected.params.flags, 3);
      assert.equal(connected.params.proto_version, expected);
      const authorized = await session.query({ _: 'client.authorizeWithProxyShort', data: Buffer.alloc(0) });
      assert.equal(authorized._, 'client.authorizationWithProxySuccess');
    }
  });

  test('a version-0 client (no version bit, or max 0) gets 0; a 5.. one is refused', async () => {
    for (const params of [{ ...reference9060ce5ClientParams(), flags: 1 }, reference9060ce5ClientParams({ minProtoVersion: 0, maxProtoVersion: 0 })]) {
      const session = await peer('client');
      const connected = await session.query({ _: 'client.connectToProxy', params, min_config_version: 0 });
      assert.ok(isTlObject(connected, 'client.connectedToProxy'));
      assert.equal(connected.params.flags, 1);
      assert.equal(connected.params.proto_version, undefined);
    }
    const error = await refusal(await peer('client'), { _: 'client.connectToProxy', params: reference9060ce5ClientParams({ minProtoVersion: 5, maxProtoVersion: 5 }), min_config_version: 0 });
    assert.equal(error.message, 'no common protocol version: client speaks 5..5, this runner 0..4');
  });
});
