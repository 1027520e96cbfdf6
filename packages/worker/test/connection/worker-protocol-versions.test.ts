/**
 * Our worker's handshake versions against scripted reference proxies (§3.3): it offers 3..4 with
 * worker.params flags 3 as a 9060ce5 worker; a proxy choosing 3 or 4 is accepted and the choice is
 * exposed; one choosing 2 (a b75d444 proxy) or sending no version is refused with a clear error; with
 * a machine description the worker offers 4..4 with flags 7 and the description.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger, type TlObject } from '@cocoon/protocol';
import { AnyPolicyVerifier, FakeTdxProvider, createAttestedCertificate, type SecureIdentitySource, type SecureServer } from '@cocoon/attestation';
import { scriptWorkerHandshake, startScriptedProxy, type ScriptedPeerConnection } from '@cocoon/test-support';
import { WorkerProxyConnection, type WorkerProxyConnectionOptions } from '../../src/connection/worker-proxy-connection.ts';
import type { WorkerQueryHandler } from '../../src/serving/worker-query-handler.ts';

const MODEL = `org/model@rev:${'1'.repeat(64)}`;
let identity: SecureIdentitySource;

before(async () => {
  identity = await createAttestedCertificate({ provider: new FakeTdxProvider(), now: new Date() });
});

interface Run {
  proxy: SecureServer;
  connection: WorkerProxyConnection;
  handshake: Promise<{ params: TlObject }>;
  peer: Promise<ScriptedPeerConnection>;
  lines: string[];
  failed: Promise<string>;
}

/** A scripted proxy that answers the handshake choosing `protoVersion`, and our WorkerProxyConnection dialing it. */
async function run(protoVersion: number, options: Partial<WorkerProxyConnectionOptions> = {}): Promise<Run> {
  let peerReady!: (peer: ScriptedPeerConnection) => void;
  const peer = new Promise<ScriptedPeerConnection>((resolve) => { peerReady = resolve; });
  const proxy = await startScriptedProxy((connection) => peerReady(connection));
  const handshake = peer.then((connection) => scriptWorkerHandshake(connection, protoVersion));
  handshake.catch(() => undefined); // a refused handshake ends the script
  const lines: string[] = [];
  let failedWith!: (line: string) => void;
  const failed = new Promise<string>((resolve) => { failedWith = resolve; });
  const logger = createLogger('worker', {
    level: 'debug',
    write: (line) => {
      lines.push(line);
      if (line.includes('proxy connection failed')) failedWith(line);
    },
  });
  const connection = new WorkerProxyConnection({
    host: '127.0.0.1', port: proxy.port, identity, verifier: new AnyPolicyVerifier(), maxPowDifficulty: 8,
    ownerAddress: 'UQ-worker-owner', model: MODEL, coefficient: 1000, maxActiveRequests: 4, proxyConnections: 1, isTest: true,
    handler: {} as WorkerQueryHandler, isEnabled: () => true, logger, ...options,
  });
  connection.start();
  return { proxy, connection, handshake, peer, lines, failed };
}

async function stop(item: Run): Promise<void> {
  item.connection.close();
  await item.proxy.close();
}

describe('our worker against a scripted 9060ce5 proxy', () => {
  for (const version of [4, 3]) {
    test(`a proxy choosing ${version} is accepted; worker.params are the 9060ce5 worker's`, async () => {
      const item = await run(version);
      try {
        const { params } = await item.handshake;
        await item.connection.whenReady();
        assert.equal(item.connection.protoVersion, version);
        assert.equal(params.flags, 3, 'flags 3 | (min >= 4 ? 4 : 0) with min 3');
        assert.equal(params.min_proto_version, 3);
        assert.equal(params.max_proto_version, 4);
        assert.equal(params.machine_description_json, undefined);
        assert.equal(params.model, MODEL);
      } finally {
        await stop(item);
      }
    });
  }

  test('a proxy that can only do 2 is refused with both versions named', async () => {
    const item = await run(2);
    try {
      const line = await item.failed;
      assert.match(line, /proxy chose protocol version 2, this runner speaks 3\.\.4 \(the proxy is too old\)/);
      assert.notEqual(item.connection.state, 'ready');
      await (await item.peer).closed();
    } finally {
      await stop(item);
    }
  });

  test('a proxy that sends no version (protocol 0) is refused', async () => {
    const item = await run(0);
    try {
      assert.match(await item.failed, /proxy chose protocol version 0, this runner speaks 3\.\.4/);
    } finally {
      await stop(item);
    }
  });

  test('with a machine description the worker offers 4..4, flags 7 and the description', async () => {
    const description = '{"gpu":"NVIDIA H200","gpu_count":1,"memory_gb":141}';
    const item = await run(4, { machineDescriptionJson: description });
    try {
      const { params } = await item.handshake;
      await item.connection.whenReady();
      assert.equal(params.flags, 7);
      assert.equal(params.min_proto_version, 4);
      assert.equal(params.max_proto_version, 4);
      assert.equal(params.machine_description_json, description);
      assert.equal(item.connection.protoVersion, 4);
    } finally {
      await stop(item);
    }
  });

  test('with a machine description a proxy choosing 3 is refused', async () => {
    const item = await run(3, { machineDescriptionJson: '{}' });
    try {
      assert.match(await item.failed, /proxy chose protocol version 3, this runner speaks 4\.\.4/);
    } finally {
      await stop(item);
    }
  });
});
