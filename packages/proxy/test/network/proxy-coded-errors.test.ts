/**
 * Coded errors through our proxy on real sessions (docs/protocol.md §19): a worker that negotiated
 * `errorCodes` reports its CCN_ERR_* code and a client that negotiated it receives that code
 * (unknown codes relayed verbatim); the proxy's own refusals carry theirs; a reference worker's
 * error is coded by its reference text; a reference client receives the reference frames only.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CocoonSession, DEV_CLIENT_OWNER_ADDRESS, FrameDecoder, PROTOCOL_VERSIONS, WireErrorCode, decodeBoxed,
} from '@cocoon/protocol';
import type { TlObject } from '@cocoon/protocol';
import { FakeTdxPolicyVerifier, FakeTdxProvider, NoTeeProvider, createAttestedCertificate, dialSecure } from '@cocoon/attestation';
import { clientParams, runQuery, startTestProxy } from './proxy-test-peer.ts';
import type { TestProxy } from './proxy-test-peer.ts';

type Reply = (request: TlObject) => TlObject | undefined;

const finalInfo: TlObject = {
  _: 'proxy.queryFinalInfo', flags: 2, worker_start_time: 1, worker_end_time: 2,
  tokens_used: { _: 'tokensUsed', prompt_tokens_used: 0n, cached_tokens_used: 0n, completion_tokens_used: 0n, reasoning_tokens_used: 0n, total_tokens_used: 0n },
};

/** A session to the proxy; `frames` collects the inner message name of every frame its socket received. */
async function dial(port: number, role: 'client' | 'worker', offerExtensions: boolean): Promise<{ session: CocoonSession; frames: string[] }> {
  const identity = await createAttestedCertificate({ provider: role === 'worker' ? new FakeTdxProvider() : new NoTeeProvider(), now: new Date() });
  const { socket } = await dialSecure({ host: '127.0.0.1', port, identity, verifier: new FakeTdxPolicyVerifier(), offerExtensions });
  const frames: string[] = [];
  const decoder = new FrameDecoder();
  socket.on('data', (chunk: Buffer) => {
    for (const frame of decoder.push(chunk)) {
      const packet = decodeBoxed(frame.payload);
      frames.push(packet.data ? decodeBoxed(packet.data as Buffer)._ : packet._);
    }
  });
  const session = new CocoonSession(socket, { role: 'dialer' });
  await session.open();
  return { session, frames };
}

/** A scripted worker for `model`: answers each proxy.runQueryEx with `reply` (undefined = holds it). */
async function scriptedWorker(port: number, model: string, offerExtensions: boolean, maxActive = 8): Promise<{ session: CocoonSession; reply: Reply; held: TlObject[] }> {
  const { session } = await dial(port, 'worker', offerExtensions);
  const worker = { session, reply: (() => undefined) as Reply, held: [] as TlObject[] };
  session.on('message', (message) => {
    if (message._ !== 'proxy.runQueryEx') return;
    const answer = worker.reply(message);
    if (answer) session.send(answer);
    else worker.held.push(message);
  });
  const params = {
    _: 'worker.params', flags: 3, worker_owner_address: `UQ-worker-${model}`, model, coefficient: 1000, is_test: true, proxy_cnt: 1,
    max_active_requests: maxActive, min_proto_version: PROTOCOL_VERSIONS.worker.min, max_proto_version: PROTOCOL_VERSIONS.worker.max,
  };
  assert.equal((await session.query({ _: 'worker.connectToProxy', params }))._, 'worker.connectedToProxy');
  await session.query({ _: 'worker.compareBalanceWithProxy', tokens_committed_to_blockchain: 0n, tokens_committed_to_db: 0n, max_tokens: 0n });
  assert.equal((await session.query({ _: 'worker.proxyHandshakeComplete', is_disabled: false }))._, 'worker.proxyHandshakeCompleted');
  return worker;
}

/** An authorized client (the default dev client). */
async function scriptedClient(port: number, offerExtensions: boolean): Promise<{ session: CocoonSession; frames: string[] }> {
  const client = await dial(port, 'client', offerExtensions);
  await client.session.query({ _: 'client.connectToProxy', params: { ...clientParams(), client_owner_address: DEV_CLIENT_OWNER_ADDRESS }, min_config_version: 0 });
  assert.equal((await client.session.query({ _: 'client.authorizeWithProxyShort', data: Buffer.alloc(0) }))._, 'client.authorizationWithProxySuccess');
  return client;
}

/** Sends a request and resolves with the client's final error message for it. */
function finalError(session: CocoonSession, query: TlObject): Promise<TlObject> {
  return new Promise((resolve) => {
    const listener = (message: TlObject) => {
      if (!(message.request_id as Buffer | undefined)?.equals(query.request_id as Buffer)) return;
      if (!/ErrorEx$|ErrorCoded$/.test(message._)) return;
      session.off('message', listener);
      resolve(message);
    };
    session.on('message', listener);
    session.send(query);
  });
}

const codedWorkerError = (request: TlObject, ccnCode: string, errorCode: number, error: string): TlObject => ({
  _: 'ext.proxyQueryAnswerErrorCoded', request_id: request.request_id, error_code: errorCode, error, ccn_code: ccnCode, flags: 1, final_info: finalInfo,
});

describe('coded errors through the proxy', () => {
  let proxy: TestProxy;
  let coded: Awaited<ReturnType<typeof scriptedWorker>>;
  let reference: Awaited<ReturnType<typeof scriptedWorker>>;
  let busy: Awaited<ReturnType<typeof scriptedWorker>>;
  let extClient: Awaited<ReturnType<typeof scriptedClient>>;
  let referenceClient: Awaited<ReturnType<typeof scriptedClient>>;

  before(async () => {
    proxy = await startTestProxy({ max_attempts: 1 });
    coded = await scriptedWorker(proxy.workerPort, 'test/coded@r:h', true);
    reference = await scriptedWorker(proxy.workerPort, 'test/reference@r:h', false);
    busy = await scriptedWorker(proxy.workerPort, 'test/busy@r:h', true, 1);
    extClient = await scriptedClient(proxy.clientPort, true);
    referenceClient = await scriptedClient(proxy.clientPort, false);
    assert.ok(extClient.session.extensions.has('errorCodes') && coded.session.extensions.has('errorCodes'));
    assert.equal(referenceClient.session.extensions.size + reference.session.extensions.size, 0);
  });

  after(async () => {
    for (const peer of [coded, reference, busy, extClient, referenceClient]) peer?.session.close();
    await proxy?.handle.close();
  });

  test("a worker's coded error reaches a coded client with its own code, whatever its text", async () => {
    coded.reply = (request) => codedWorkerError(request, 'CCN_ERR_WORKER_OVERLOADED', WireErrorCode.notReady, 'zz arbitrary text');
    const error = await finalError(extClient.session, runQuery('test/coded'));
    assert.equal(error._, 'ext.clientQueryAnswerErrorCoded');
    assert.equal(error.ccn_code, 'CCN_ERR_WORKER_OVERLOADED');
    assert.equal(error.error_code, WireErrorCode.notReady);
    assert.equal(error.error, 'zz arbitrary text');
    assert.equal((error.final_info as TlObject)._, 'client.queryFinalInfo');
  });

  test('a code this build does not know (a newer worker) is relayed verbatim', async () => {
    coded.reply = (request) => codedWorkerError(request, 'CCN_ERR_FROM_A_NEWER_WORKER', WireErrorCode.failure, 'new failure');
    const error = await finalError(extClient.session, runQuery('test/coded'));
    assert.equal(error.ccn_code, 'CCN_ERR_FROM_A_NEWER_WORKER');
    assert.equal(error.error_code, WireErrorCode.failure);
  });

  test("a reference worker's error is coded by its reference text for a coded client", async () => {
    reference.reply = (request) => ({
      _: 'proxy.queryAnswerErrorEx', request_id: request.request_id, error_code: WireErrorCode.protoViolation, error: 'worker: invalid http request: unknown option', flags: 1, final_info: finalInfo,
    });
    const error = await finalError(extClient.session, runQuery('test/reference'));
    assert.equal(error._, 'ext.clientQueryAnswerErrorCoded');
    assert.equal(error.ccn_code, 'CCN_ERR_WORKER_INVALID_REQUEST');
  });

  test("the proxy's own refusals carry their codes: unknown model, all workers busy", async () => {
    const unknown = await finalError(extClient.session, runQuery('no/such-model'));
    assert.equal(unknown.ccn_code, 'CCN_ERR_ROUTE_UNKNOWN_MODEL');
    busy.reply = () => undefined; // holds the first request: the only worker is at its limit
    const first = runQuery('test/busy');
    extClient.session.send(first);
    const error = await finalError(extClient.session, runQuery('test/busy'));
    assert.equal(error.ccn_code, 'CCN_ERR_ROUTE_WORKERS_BUSY');
    assert.equal(error.error_code, WireErrorCode.notReady);
    const held = busy.held.shift()!;
    busy.session.send(codedWorkerError(held, 'CCN_ERR_ENGINE_FAILED', WireErrorCode.failure, 'released'));
  });

  test('a reference client gets the reference error frames, no ext constructor, for coded and uncoded worker errors', async () => {
    coded.reply = (request) => codedWorkerError(request, 'CCN_ERR_WORKER_OVERLOADED', WireErrorCode.notReady, 'worker: too many active queries');
    const fromCoded = await finalError(referenceClient.session, runQuery('test/coded'));
    assert.deepEqual(Object.keys(fromCoded).sort(), ['_', 'error', 'error_code', 'final_info', 'flags', 'request_id']);
    assert.equal(fromCoded._, 'client.queryAnswerErrorEx');
    assert.equal(fromCoded.error_code, WireErrorCode.notReady);
    assert.equal(fromCoded.error, 'worker: too many active queries');
    const refusal = await finalError(referenceClient.session, runQuery('no/such-model'));
    assert.equal(refusal._, 'client.queryAnswerErrorEx');
    assert.ok(referenceClient.frames.includes('client.queryAnswerErrorEx'));
    assert.deepEqual(referenceClient.frames.filter((name) => name.startsWith('ext.')), []);
    assert.ok(referenceClient.session.isOpen);
  });
});
