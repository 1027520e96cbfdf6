/**
 * The worker runner with a machine description and a change_model_script against a scripted 9060ce5
 * proxy (§3.2/§3.3): it introduces itself at protocol 4 with the description, switches its model on
 * `worker.changeModel`, then validates requests against the new model and shows it, the description
 * and the switch in its /jsonstats.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, encodeHttpRequest, type RunnerHandle, type TlObject } from '@cocoon/protocol';
import type { SecureServer } from '@cocoon/attestation';
import { scriptWorkerHandshake, startScriptedProxy, type ScriptedPeerConnection } from '@cocoon/test-support';
import { startTestEngine, startWorkerRunner, workerConfigSchema, type TestEngine } from '../../src/index.ts';

const OLD_MODEL = `org/old@r1:${'1'.repeat(64)}`;
const NEW_MODEL = `test/tiny-chat@r2:${'2'.repeat(64)}`;
const DESCRIPTION = '{"gpu":"NVIDIA H200","gpu_count":1}';
let directory: string;
let engine: TestEngine;
let proxy: SecureServer;
let worker: RunnerHandle;
let peer: ScriptedPeerConnection;
let params: TlObject;

before(async () => {
  directory = mkdtempSync(join(tmpdir(), 'cocoon-worker-switch-'));
  const script = join(directory, 'switch.sh');
  writeFileSync(script, '#!/bin/sh\nexit 0\n');
  chmodSync(script, 0o755);
  engine = await startTestEngine({ host: '127.0.0.1', port: 0 });
  let connected!: (connection: ScriptedPeerConnection) => void;
  const ready = new Promise<ScriptedPeerConnection>((resolve) => { connected = resolve; });
  proxy = await startScriptedProxy(async (connection) => {
    params = (await scriptWorkerHandshake(connection, 4)).params;
    connected(connection);
  });
  const config = workerConfigSchema.parse({
    engine_url: engine.url, proxy_address: `127.0.0.1:${proxy.port}`, http_port: 0, model: OLD_MODEL, admin_token_file: join(directory, 'admin.token'),
    change_model_script: script, machine_description_json: DESCRIPTION,
  });
  [peer, worker] = await Promise.all([ready, startWorkerRunner(config, { logger: createLogger('worker', { level: 'error' }) })]);
});

after(async () => {
  await worker?.close();
  await proxy?.close();
  await engine?.close();
  rmSync(directory, { recursive: true, force: true });
});

function runQuery(model: string): TlObject {
  const body = Buffer.from(JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }));
  return {
    _: 'proxy.runQueryEx', query: encodeHttpRequest({ method: 'POST', url: '/v1/chat/completions', httpVersion: 'HTTP/1.1', headers: [['Content-Type', 'application/json']], payload: body }),
    signed_payment: { _: 'proxy.signedPaymentEmpty' }, coefficient: 1000n, timeout: 10, request_id: Buffer.alloc(32, model.length), flags: 1, enable_debug: false,
  };
}

test('protocol 4 with the description; after worker.changeModel the new model is served and shown', async () => {
  assert.equal(params.flags, 7);
  assert.deepEqual([params.min_proto_version, params.max_proto_version, params.machine_description_json], [4, 4, DESCRIPTION]);
  const { answer } = await peer.ask({ _: 'worker.changeModel', new_model: NEW_MODEL });
  assert.deepEqual(answer, { _: 'worker.changedModel' });

  peer.message(runQuery('org/old'));
  const refused = await peer.expect('proxy.queryAnswerErrorEx');
  assert.match(String(refused.inner.error), /model/);
  peer.message(runQuery('test/tiny-chat'));
  const served = await peer.expect('proxy.queryAnswerEx');
  assert.equal(served.inner.flags, 1);

  const stats = await (await fetch(`${worker.readyInfo.stats_url as string}/jsonstats`)).json() as { status: Record<string, unknown> };
  assert.equal(stats.status.actual_model, NEW_MODEL);
  assert.equal(stats.status.proto_version, 4);
  assert.equal(stats.status.machine_description, DESCRIPTION);
  const modelSwitch = stats.status.model_switch as { script_configured: boolean; running: unknown; last: { model: string; ok: boolean } };
  assert.deepEqual([modelSwitch.script_configured, modelSwitch.running, modelSwitch.last.model, modelSwitch.last.ok], [true, null, NEW_MODEL, true]);
});
