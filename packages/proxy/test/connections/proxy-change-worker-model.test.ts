/**
 * The proxy's `/request/change_worker_model` (§8.2) against a worker session: with the admin token and
 * the reference's form body (`connection_id`, `new_model_name`) the proxy sends `worker.changeModel`; on
 * `worker.changedModel` it answers 200 and lists the worker under the new model; the worker's refusal is
 * a 502 with its reason; no token → 401; a bad body → 400/415 with a clear error; an unknown connection → 404.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CocoonError, readAdminToken, type CocoonSession, type QueryReply, type TlObject } from '@cocoon/protocol';
import { reference9060ce5WorkerParams } from '@cocoon/test-support';
import { openPeerSession, startTestProxy, type TestProxy } from '../network/proxy-test-peer.ts';

const OLD_MODEL = `org/old@r1:${'1'.repeat(64)}`;
const NEW_MODEL = `org/new@r2:${'2'.repeat(64)}`;
let proxy: TestProxy;
let directory: string;
let token: string;
let worker: CocoonSession;
let connectionId: string;
/** How the scripted worker answers worker.changeModel. */
let onChangeModel: (query: TlObject, reply: QueryReply) => void;
const received: string[] = [];

before(async () => {
  directory = mkdtempSync(join(tmpdir(), 'cocoon-change-worker-model-'));
  proxy = await startTestProxy({ admin_token_file: join(directory, 'admin.token') });
  token = readAdminToken(join(directory, 'admin.token'));
  worker = await openPeerSession(proxy.workerPort, 'worker', false);
  worker.on('query', (query, reply) => {
    received.push(query._ === 'worker.changeModel' ? String(query.new_model) : query._);
    onChangeModel(query, reply);
  });
  const params = reference9060ce5WorkerParams({ ownerAddress: 'UQ-switching-worker', model: OLD_MODEL });
  await worker.query({ _: 'worker.connectToProxy', params });
  await worker.query({ _: 'worker.compareBalanceWithProxy', tokens_committed_to_blockchain: 0n, tokens_committed_to_db: 0n, max_tokens: 0n });
  await worker.query({ _: 'worker.proxyHandshakeComplete', is_disabled: false });
  const entry = (await jsonStats()).worker_connections.find((item) => item.owner_address === 'UQ-switching-worker')!;
  connectionId = String(entry.connection_id);
});
after(async () => {
  worker.close();
  await proxy.handle.close();
  rmSync(directory, { recursive: true, force: true });
});

async function jsonStats(): Promise<{ worker_connections: Array<Record<string, unknown>> }> {
  return await (await fetch(new URL('/jsonstats', proxy.statsUrl))).json() as { worker_connections: Array<Record<string, unknown>> };
}

function post(body: string, contentType = 'application/x-www-form-urlencoded', authorized = true): Promise<Response> {
  return fetch(new URL('/request/change_worker_model', proxy.statsUrl), {
    method: 'POST', body, headers: { 'content-type': contentType, ...(authorized ? { authorization: `Bearer ${token}` } : {}) },
  });
}

const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();

describe('/request/change_worker_model', () => {
  test('without the admin token: 401, nothing sent to the worker', async () => {
    const response = await post(form({ connection_id: connectionId, new_model_name: NEW_MODEL }), undefined, false);
    assert.equal(response.status, 401);
    assert.deepEqual(received, []);
  });

  test('bad bodies: clear 400/415/404 errors, nothing sent', async () => {
    const cases: Array<[string, string, number, RegExp]> = [
      [form({ new_model_name: NEW_MODEL }), 'application/x-www-form-urlencoded', 400, /missing connection_id/],
      [form({ connection_id: connectionId }), 'application/x-www-form-urlencoded', 400, /missing new_model_name/],
      [form({ connection_id: 'abc', new_model_name: NEW_MODEL }), 'application/x-www-form-urlencoded', 400, /connection_id must be a worker connection id/],
      [form({ connection_id: connectionId, new_model_name: 'has space' }), 'application/x-www-form-urlencoded', 400, /new_model_name must be/],
      ['{"connection_id":', 'application/json', 400, /not valid JSON/],
      ['{"connection_id":{"a":1}}', 'application/json', 400, /must be a string, number or boolean/],
      ['connection_id=1', 'text/plain', 415, /x-www-form-urlencoded or application\/json/],
      [form({ connection_id: 'worker-999', new_model_name: NEW_MODEL }), 'application/x-www-form-urlencoded', 404, /no worker connection worker-999/],
    ];
    for (const [body, contentType, status, message] of cases) {
      const response = await post(body, contentType);
      const answer = await response.json() as { error: string };
      assert.equal(response.status, status, body);
      assert.match(answer.error, message, body);
    }
    assert.deepEqual(received, []);
  });

  test('the worker refuses: 502 with its reason; the model stays', async () => {
    onChangeModel = (_query, reply) => reply.fail(new CocoonError('CCN_ERR_WORKER_MODEL_CHANGE_FAILED', 'cannot change model: model change script failed (exit code 5)'));
    const response = await post(form({ connection_id: connectionId, new_model_name: NEW_MODEL }));
    assert.equal(response.status, 502);
    const answer = await response.json() as { error: string; code: string };
    assert.equal(answer.code, 'CCN_ERR_WORKER_MODEL_CHANGE_FAILED');
    assert.equal(answer.error, 'worker refused the model change: cannot change model: model change script failed (exit code 5)');
    const entry = (await jsonStats()).worker_connections.find((item) => item.connection_id === connectionId)!;
    assert.equal(entry.model, OLD_MODEL);
  });

  test('the worker switches: 200, and the proxy lists it under the new model (bare number id as the reference)', async () => {
    onChangeModel = (_query, reply) => reply.answer({ _: 'worker.changedModel' });
    const bareId = connectionId.slice('worker-'.length);
    const response = await post(JSON.stringify({ connection_id: Number(bareId), new_model_name: NEW_MODEL }), 'application/json');
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { connection_id: connectionId, model: NEW_MODEL, previous_model: OLD_MODEL, changed: true });
    assert.equal(received.at(-1), NEW_MODEL);
    const entry = (await jsonStats()).worker_connections.find((item) => item.connection_id === connectionId)!;
    assert.equal(entry.model, NEW_MODEL);
  });
});
