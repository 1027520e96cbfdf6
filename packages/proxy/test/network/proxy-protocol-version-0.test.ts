/**
 * Protocol version 0 through our proxy on real sessions (§3.3), as the reference 9060ce5 proxy: a
 * client that sends no version (params flags 1) gets the legacy `client.queryAnswer` / `…Part` /
 * `…Error` / `…PartError` with the request's `tokensUsed`, streamed and not (a refusal byte-equal to
 * the golden reference frame); a version-0 worker is served `proxy.runQuery` and its legacy answers
 * reach a 9060ce5 client (4) as Ex answers with the usage in `final_info`; both are billed and paid.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CocoonSession, DEV_CLIENT_OWNER_ADDRESS, FrameDecoder, WireErrorCode, decodeBoxed, decodeBoxedAs, decodeHttpResponse, encodeHttpResponse,
} from '@cocoon/protocol';
import type { TlObject } from '@cocoon/protocol';
import { FakeTdxPolicyVerifier, FakeTdxProvider, NoTeeProvider, createAttestedCertificate, dialSecure } from '@cocoon/attestation';
import { goldenStreams, reference9060ce5ClientParams, reference9060ce5WorkerParams } from '@cocoon/test-support';
import { runQuery, startTestProxy } from './proxy-test-peer.ts';
import type { TestProxy } from './proxy-test-peer.ts';

const tokens = (prompt: bigint, completion: bigint): TlObject => ({
  _: 'tokensUsed', prompt_tokens_used: prompt, cached_tokens_used: 0n, completion_tokens_used: completion, reasoning_tokens_used: 0n, total_tokens_used: prompt + completion,
});
const ZERO = tokens(0n, 0n);
const finalInfo = (used: TlObject): TlObject => ({ _: 'proxy.queryFinalInfo', flags: 2, tokens_used: used, worker_start_time: 100, worker_end_time: 101 });
const httpAnswer = (body: string): Buffer => encodeHttpResponse({
  httpVersion: 'HTTP/1.1', statusCode: 200, reason: 'OK', headers: [['Content-Type', 'application/json']], payload: Buffer.from(body),
});

interface Peer {
  session: CocoonSession;
  /** Every application message the socket received, with its TL bytes, in order. */
  frames: Array<{ name: string; bytes: Buffer }>;
}

/** A reference-like session (no §19 extension) that records the inner bytes of every frame it receives. */
async function dial(port: number, role: 'client' | 'worker'): Promise<Peer> {
  const identity = await createAttestedCertificate({ provider: role === 'worker' ? new FakeTdxProvider() : new NoTeeProvider(), now: new Date() });
  const { socket } = await dialSecure({ host: '127.0.0.1', port, identity, verifier: new FakeTdxPolicyVerifier(), offerExtensions: false });
  const frames: Peer['frames'] = [];
  const decoder = new FrameDecoder();
  socket.on('data', (chunk: Buffer) => {
    for (const frame of decoder.push(chunk)) {
      const packet = decodeBoxed(frame.payload);
      if (packet._ === 'tcp.packet') frames.push({ name: decodeBoxed(packet.data as Buffer)._, bytes: packet.data as Buffer });
    }
  });
  const session = new CocoonSession(socket, { role: 'dialer' });
  await session.open();
  return { session, frames };
}

type Reply = (request: TlObject) => TlObject[];

/** A scripted worker for `model` with `params`; each runQuery(Ex) it gets is kept and answered with `reply`. */
async function scriptedWorker(port: number, params: TlObject): Promise<Peer & { reply: Reply; received: TlObject[] }> {
  const peer = await dial(port, 'worker');
  const worker = { ...peer, reply: (() => []) as Reply, received: [] as TlObject[] };
  peer.session.on('message', (message) => {
    if (message._ !== 'proxy.runQuery' && message._ !== 'proxy.runQueryEx') return;
    worker.received.push(message);
    for (const answer of worker.reply(message)) peer.session.send(answer);
  });
  assert.equal((await peer.session.query({ _: 'worker.connectToProxy', params }))._, 'worker.connectedToProxy');
  await peer.session.query({ _: 'worker.compareBalanceWithProxy', tokens_committed_to_blockchain: 0n, tokens_committed_to_db: 0n, max_tokens: 0n });
  assert.equal((await peer.session.query({ _: 'worker.proxyHandshakeComplete', is_disabled: false }))._, 'worker.proxyHandshakeCompleted');
  return worker;
}

/** The default dev client, authorized, with `params`; resolves with the version the proxy chose (undefined: none). */
async function scriptedClient(port: number, params: TlObject): Promise<Peer & { protoVersion: number | undefined }> {
  const peer = await dial(port, 'client');
  const connected = await peer.session.query({ _: 'client.connectToProxy', params, min_config_version: 0 });
  assert.equal((await peer.session.query({ _: 'client.authorizeWithProxyShort', data: Buffer.alloc(0) }))._, 'client.authorizationWithProxySuccess');
  return { ...peer, protoVersion: (connected.params as TlObject).proto_version as number | undefined };
}

const LAST_NAMES = new Set(['client.queryAnswerError', 'client.queryAnswerPartError', 'client.queryAnswerErrorEx']);
const isLast = (message: TlObject): boolean => LAST_NAMES.has(message._) || message.is_completed === true || (/Ex$/.test(message._) && ((message.flags as number) & 1) !== 0);

/** Sends `query` and resolves with its answer messages up to the last one and the payment that follows it. */
function exchange(client: Peer, query: TlObject): Promise<{ answers: TlObject[]; payment: TlObject }> {
  const answers: TlObject[] = [];
  return new Promise((resolve) => {
    const listener = (message: TlObject) => {
      if (!(message.request_id as Buffer | undefined)?.equals(query.request_id as Buffer)) return;
      if (message._ === 'proxy.clientRequestPayment') {
        client.session.off('message', listener);
        resolve({ answers, payment: message });
        return;
      }
      assert.ok(answers.length === 0 || !isLast(answers.at(-1)!), `nothing after the last answer, got ${message._}`);
      answers.push(message);
    };
    client.session.on('message', listener);
    client.session.send(query);
  });
}

/** The legacy request of a version-0 client: runQueryEx's fields without flags. */
function legacyRunQuery(model: string, overrides: Partial<TlObject> = {}): TlObject {
  const { flags: _flags, enable_debug: _debug, ...fields } = runQuery(model, overrides);
  return { ...fields, _: 'client.runQuery' };
}

/** Resolves with the next proxy.workerRequestPayment the worker receives. */
function workerPayment(worker: Peer): Promise<TlObject> {
  return new Promise((resolve) => {
    const listener = (message: TlObject) => {
      if (message._ !== 'proxy.workerRequestPayment') return;
      worker.session.off('message', listener);
      resolve(message);
    };
    worker.session.on('message', listener);
  });
}

describe('protocol version 0 through the proxy', () => {
  let proxy: TestProxy;
  let exWorker: Awaited<ReturnType<typeof scriptedWorker>>;
  let legacyWorker: Awaited<ReturnType<typeof scriptedWorker>>;
  let legacyClient: Awaited<ReturnType<typeof scriptedClient>>;
  let currentClient: Awaited<ReturnType<typeof scriptedClient>>;

  before(async () => {
    proxy = await startTestProxy({ max_attempts: 1 });
    exWorker = await scriptedWorker(proxy.workerPort, reference9060ce5WorkerParams({ ownerAddress: 'UQ-worker-ex', model: 'test/ex@r:h' }));
    legacyWorker = await scriptedWorker(proxy.workerPort, { ...reference9060ce5WorkerParams({ ownerAddress: 'UQ-worker-legacy', model: 'test/legacy@r:h' }), flags: 1 });
    legacyClient = await scriptedClient(proxy.clientPort, { ...reference9060ce5ClientParams({ ownerAddress: DEV_CLIENT_OWNER_ADDRESS }), flags: 1 });
    currentClient = await scriptedClient(proxy.clientPort, reference9060ce5ClientParams({ ownerAddress: DEV_CLIENT_OWNER_ADDRESS }));
    assert.equal(legacyClient.protoVersion, undefined, 'version 0: proxy.params without proto_version');
    assert.equal(currentClient.protoVersion, 4);
  });

  after(async () => {
    for (const peer of [exWorker, legacyWorker, legacyClient, currentClient]) peer?.session.close();
    await proxy?.handle.close();
  });

  test('a version-0 client gets one client.queryAnswer with the usage for a non-streamed answer, then its payment', async () => {
    const used = tokens(12n, 30n);
    exWorker.reply = (request) => [{ _: 'proxy.queryAnswerEx', request_id: request.request_id, answer: httpAnswer('{"ok":true}'), flags: 1, final_info: finalInfo(used) }];
    const paid = workerPayment(exWorker);
    const query = legacyRunQuery('test/ex');
    const { answers, payment } = await exchange(legacyClient, query);
    assert.deepEqual(answers.map((answer) => answer._), ['client.queryAnswer']);
    const [answer] = answers as [TlObject];
    assert.equal(answer.is_completed, true);
    assert.deepEqual(answer.request_tokens_used, used);
    assert.ok((answer.request_id as Buffer).equals(query.request_id as Buffer));
    const response = decodeHttpResponse(answer.answer as Buffer);
    assert.equal(response.payload.toString(), '{"ok":true}');
    assert.ok(response.headers.some(([name]) => name === 'X-Cocoon-Proxy-Start'));
    assert.equal(payment.request_tokens, 42n);
    assert.equal((await paid).request_tokens, 42n);
    assert.equal(exWorker.received.at(-1)!._, 'proxy.runQueryEx', 'a version-4 worker still gets runQueryEx');
  });

  test('a streamed answer reaches a version-0 client as client.queryAnswer + client.queryAnswerPart, the usage on the last', async () => {
    const used = tokens(5n, 3n);
    exWorker.reply = (request) => [
      { _: 'proxy.queryAnswerEx', request_id: request.request_id, answer: httpAnswer('data: 1\n\n'), flags: 0 },
      { _: 'proxy.queryAnswerPartEx', request_id: request.request_id, answer: Buffer.from('data: 2\n\n'), flags: 0 },
      { _: 'proxy.queryAnswerPartEx', request_id: request.request_id, answer: Buffer.from('data: [DONE]\n\n'), flags: 1, final_info: finalInfo(used) },
    ];
    const { answers, payment } = await exchange(legacyClient, runQuery('test/ex')); // runQueryEx from a version-0 client: still the legacy answers
    assert.deepEqual(answers.map((answer) => [answer._, answer.is_completed]), [['client.queryAnswer', false], ['client.queryAnswerPart', false], ['client.queryAnswerPart', true]]);
    assert.deepEqual(answers.map((answer) => answer.request_tokens_used), [ZERO, ZERO, used], 'zeros until the final usage, as the reference');
    assert.equal((answers[2]!.answer as Buffer).toString(), 'data: [DONE]\n\n');
    assert.equal(payment.request_tokens, 8n);
    assert.deepEqual(legacyClient.frames.filter((frame) => /Ex$|^ext\./.test(frame.name)), [], 'no Ex or extension message ever reaches a version-0 client');
  });

  test("a worker's error is client.queryAnswerError before the answer and client.queryAnswerPartError after it, billed", async () => {
    const used = tokens(7n, 0n);
    exWorker.reply = (request) => [{ _: 'proxy.queryAnswerErrorEx', request_id: request.request_id, error_code: WireErrorCode.error, error: 'engine said no', flags: 1, final_info: finalInfo(used) }];
    const early = await exchange(legacyClient, legacyRunQuery('test/ex'));
    assert.deepEqual(early.answers.map((answer) => answer._), ['client.queryAnswerError']);
    assert.deepEqual(early.answers[0], { ...early.answers[0], error_code: WireErrorCode.error, error: 'engine said no', request_tokens_used: used });
    assert.equal(early.payment.request_tokens, 7n);
    const late = tokens(7n, 4n);
    exWorker.reply = (request) => [
      { _: 'proxy.queryAnswerEx', request_id: request.request_id, answer: httpAnswer('data: 1\n\n'), flags: 0 },
      { _: 'proxy.queryAnswerErrorEx', request_id: request.request_id, error_code: WireErrorCode.failure, error: 'engine died', flags: 1, final_info: finalInfo(late) },
    ];
    const broken = await exchange(legacyClient, legacyRunQuery('test/ex'));
    assert.deepEqual(broken.answers.map((answer) => answer._), ['client.queryAnswer', 'client.queryAnswerPartError']);
    assert.equal(broken.answers[1]!.error, 'engine died');
    assert.deepEqual(broken.answers[1]!.request_tokens_used, late);
    assert.equal(broken.payment.request_tokens, 11n);
  });

  test("the proxy's own refusal to a version-0 client is byte-equal to the reference's client.queryAnswerError frame", async () => {
    const frames = goldenStreams['client<->proxy']!;
    const golden = frames.find((frame) => frame.inner === 'client.queryAnswerError')!;
    const goldenBytes = decodeBoxedAs(Buffer.from(golden.hex, 'hex').subarray(8), 'tcp.packet').data;
    const goldenAnswer = decodeBoxed(goldenBytes);
    const query = legacyRunQuery('no/such-model', { request_id: goldenAnswer.request_id });
    const answered = new Promise<void>((resolve) => legacyClient.session.on('message', (message) => {
      if (message._ === 'client.queryAnswerError' && (message.request_id as Buffer).equals(query.request_id as Buffer)) resolve();
    }));
    legacyClient.session.send(query);
    await answered;
    const ours = legacyClient.frames.filter((frame) => frame.name === 'client.queryAnswerError').at(-1)!;
    assert.equal(ours.bytes.toString('hex'), goldenBytes.toString('hex'));
  });

  test('a version-0 worker is served proxy.runQuery; its legacy answers reach a version-4 client as Ex answers, billed', async () => {
    const used = tokens(20n, 9n);
    legacyWorker.reply = (request) => [
      { _: 'proxy.queryAnswer', answer: httpAnswer('data: a\n\n'), is_completed: false, request_id: request.request_id, tokens_used: tokens(20n, 1n) },
      { _: 'proxy.queryAnswerPart', answer: Buffer.from('data: b\n\n'), is_completed: false, request_id: request.request_id, tokens_used: tokens(20n, 5n) },
      { _: 'proxy.queryAnswerPart', answer: Buffer.from('data: [DONE]\n\n'), is_completed: true, request_id: request.request_id, tokens_used: used },
    ];
    const paid = workerPayment(legacyWorker);
    const { answers, payment } = await exchange(currentClient, runQuery('test/legacy'));
    const served = legacyWorker.received.at(-1)!;
    assert.equal(served._, 'proxy.runQuery');
    assert.deepEqual(Object.keys(served).sort(), ['_', 'coefficient', 'query', 'request_id', 'signed_payment', 'timeout']);
    assert.equal(served.coefficient, 1000n);
    assert.deepEqual(answers.map((answer) => [answer._, answer.flags]), [['client.queryAnswerEx', 0], ['client.queryAnswerPartEx', 0], ['client.queryAnswerPartEx', 1]]);
    const final = answers[2]!.final_info as TlObject;
    assert.equal(final._, 'client.queryFinalInfo');
    assert.deepEqual(final.tokens_used, used);
    assert.equal(final.worker_start_time, 0, 'a legacy answer carries no worker times');
    assert.ok(decodeHttpResponse(answers[0]!.answer as Buffer).headers.some(([name]) => name === 'X-Cocoon-Proxy-Start'));
    assert.equal(payment.request_tokens, 29n);
    assert.equal((await paid).request_tokens, 29n);
  });

  test("a version-0 worker's legacy errors reach a version-4 client as client.queryAnswerErrorEx with the usage", async () => {
    legacyWorker.reply = (request) => [{ _: 'proxy.queryAnswerError', error_code: WireErrorCode.error, error: 'worker: bad', request_id: request.request_id, tokens_used: tokens(3n, 0n) }];
    const early = await exchange(currentClient, runQuery('test/legacy'));
    assert.deepEqual(early.answers.map((answer) => answer._), ['client.queryAnswerErrorEx']);
    assert.equal(early.answers[0]!.error, 'worker: bad');
    assert.deepEqual((early.answers[0]!.final_info as TlObject).tokens_used, tokens(3n, 0n));
    assert.equal(early.payment.request_tokens, 3n);
    legacyWorker.reply = (request) => [
      { _: 'proxy.queryAnswer', answer: httpAnswer('data: a\n\n'), is_completed: false, request_id: request.request_id, tokens_used: ZERO },
      { _: 'proxy.queryAnswerPartError', error_code: WireErrorCode.failure, error: 'worker: engine died', request_id: request.request_id, tokens_used: tokens(3n, 2n) },
    ];
    const late = await exchange(currentClient, runQuery('test/legacy'));
    assert.deepEqual(late.answers.map((answer) => answer._), ['client.queryAnswerEx', 'client.queryAnswerErrorEx']);
    assert.equal(late.answers[1]!.error_code, WireErrorCode.failure);
    assert.equal(late.payment.request_tokens, 5n);
  });

  test('legacy both ways: a version-0 client through a version-0 worker', async () => {
    const used = tokens(4n, 4n);
    legacyWorker.reply = (request) => [{ _: 'proxy.queryAnswer', answer: httpAnswer('{}'), is_completed: true, request_id: request.request_id, tokens_used: used }];
    const { answers, payment } = await exchange(legacyClient, legacyRunQuery('test/legacy'));
    assert.equal(legacyWorker.received.at(-1)!._, 'proxy.runQuery');
    assert.deepEqual(answers.map((answer) => [answer._, answer.is_completed]), [['client.queryAnswer', true]]);
    assert.deepEqual(answers[0]!.request_tokens_used, used);
    assert.equal(payment.request_tokens, 8n);
  });
});
