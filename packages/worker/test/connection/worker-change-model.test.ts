/**
 * `worker.changeModel` from a scripted reference proxy (§3.2): the worker runs its script and
 * answers `worker.changedModel` (the new model is what its next handshake advertises), refuses with a
 * tcp.queryError carrying the reason when the script fails or no script is configured, and refuses
 * other proxy queries.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WireErrorCode, createLogger } from '@cocoon/protocol';
import { AnyPolicyVerifier, FakeTdxProvider, createAttestedCertificate, type SecureServer } from '@cocoon/attestation';
import { scriptWorkerHandshake, startScriptedProxy, type ScriptedPeerConnection } from '@cocoon/test-support';
import { WorkerProxyConnection } from '../../src/connection/worker-proxy-connection.ts';
import { WorkerModelSwitch } from '../../src/models/index.ts';
import type { WorkerQueryHandler } from '../../src/serving/worker-query-handler.ts';

const OLD_MODEL = `org/old@r1:${'1'.repeat(64)}`;
const NEW_MODEL = `org/new@r2:${'2'.repeat(64)}`;
const logger = createLogger('worker', { level: 'error' });
let directory: string;

before(() => { directory = mkdtempSync(join(tmpdir(), 'cocoon-change-model-')); });
after(() => rmSync(directory, { recursive: true, force: true }));

/** Connections to a scripted proxy, in arrival order. */
class ConnectionQueue {
  private readonly arrived: ScriptedPeerConnection[] = [];
  private waiter: (() => void) | undefined;

  push(connection: ScriptedPeerConnection): void {
    this.arrived.push(connection);
    this.waiter?.();
  }

  async next(): Promise<ScriptedPeerConnection> {
    while (this.arrived.length === 0) await new Promise<void>((resolve) => { this.waiter = resolve; });
    return this.arrived.shift()!;
  }
}

async function connect(models: WorkerModelSwitch | undefined): Promise<{ proxy: SecureServer; connection: WorkerProxyConnection; queue: ConnectionQueue }> {
  const queue = new ConnectionQueue();
  const proxy = await startScriptedProxy((peer) => queue.push(peer));
  const identity = await createAttestedCertificate({ provider: new FakeTdxProvider(), now: new Date() });
  const connection = new WorkerProxyConnection({
    host: '127.0.0.1', port: proxy.port, identity, verifier: new AnyPolicyVerifier(), maxPowDifficulty: 8,
    ownerAddress: 'UQ-worker-owner', model: OLD_MODEL, coefficient: 1000, maxActiveRequests: 4, proxyConnections: 1, isTest: true,
    handler: {} as WorkerQueryHandler, isEnabled: () => true, logger, ...(models ? { models } : {}),
  });
  connection.start();
  return { proxy, connection, queue };
}

function script(name: string, body: string): string {
  const path = join(directory, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe('worker.changeModel from the proxy', () => {
  test('a succeeding script: worker.changedModel, and the next handshake advertises the new model', async () => {
    const models = new WorkerModelSwitch({ model: OLD_MODEL, logger, timeoutMs: 10_000, script: script('ok.sh', 'exit 0') });
    const { proxy, connection, queue } = await connect(models);
    try {
      const first = await queue.next();
      assert.equal((await scriptWorkerHandshake(first, 4)).params.model, OLD_MODEL);
      await connection.whenReady();
      const { answer, error } = await first.ask({ _: 'worker.changeModel', new_model: NEW_MODEL });
      assert.equal(error, undefined);
      assert.deepEqual(answer, { _: 'worker.changedModel' });
      assert.equal(models.current, NEW_MODEL);
      first.close(); // the worker reconnects and introduces itself with the new model
      const second = await queue.next();
      assert.equal((await scriptWorkerHandshake(second, 4)).params.model, NEW_MODEL);
    } finally {
      connection.close();
      await proxy.close();
    }
  });

  test('a failing script or no script: a tcp.queryError with the reason; other queries are refused', async () => {
    const models = new WorkerModelSwitch({ model: OLD_MODEL, logger, timeoutMs: 10_000, script: script('fail.sh', 'exit 5') });
    const failing = await connect(models);
    const unconfigured = await connect(undefined);
    try {
      const peer = await failing.queue.next();
      await scriptWorkerHandshake(peer, 3);
      await failing.connection.whenReady();
      const { error } = await peer.ask({ _: 'worker.changeModel', new_model: NEW_MODEL });
      assert.deepEqual(error, { code: WireErrorCode.error, message: 'cannot change model: model change script failed (exit code 5)' });
      assert.equal(models.current, OLD_MODEL);
      const other = await peer.ask({ _: 'worker.updatePaymentStatus' }, 99n);
      assert.equal(other.error?.code, WireErrorCode.protoViolation);
      assert.match(other.error?.message ?? '', /not supported/);

      const bare = await unconfigured.queue.next();
      await scriptWorkerHandshake(bare, 4);
      await unconfigured.connection.whenReady();
      const refused = await bare.ask({ _: 'worker.changeModel', new_model: NEW_MODEL });
      assert.deepEqual(refused.error, { code: WireErrorCode.error, message: 'cannot change model: no change_model_script in config' });
    } finally {
      failing.connection.close();
      unconfigured.connection.close();
      await failing.proxy.close();
      await unconfigured.proxy.close();
    }
  });
});
