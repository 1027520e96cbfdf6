/**
 * The worker's end-to-end requests over real sessions (PoW + TLS with ALPN cocoon-ext-1) from a scripted
 * proxy: the evidence announced after the handshake verifies, a sealed request (plain and streamed) is
 * answered in sealed chunks that only the client opens, with a signed receipt just before the final
 * message whose tokens and cost are the final_info's; rotation keeps the previous key usable for its
 * grace only; a replay, a garbage envelope and an engine failure end in coded errors and the worker
 * serves on; a reference session (no ALPN) never sees an ext.e2e* message.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CocoonError, DEV_NETWORK_PARAMS, WireErrorCode, constructorId, decodeHttpResponse, encodeHttpRequest } from '@cocoon/protocol';
import type { ExtE2eEvidence, ExtE2eSignedReceipt, SealedE2eRequest, TlObject } from '@cocoon/protocol';
import { BASE_MODEL, MODEL, answerMessages, nextMessage, runQueryEx, sealChat, startWorker, verifiedKeys } from './e2e-test-kit.ts';
import type { WorkerUnderTest } from './e2e-test-kit.ts';

const chat = { model: BASE_MODEL, messages: [{ role: 'user', content: 'a secret prompt' }] };
let requestCounter = 0;
const nextRequestId = (): Buffer => Buffer.alloc(32, ++requestCounter);

/** Sends a sealed request as the proxy and opens what comes back as the client would. */
async function exchange(worker: WorkerUnderTest, sealed: SealedE2eRequest): Promise<{ messages: TlObject[]; plaintexts: Buffer[]; receipt: ExtE2eSignedReceipt | undefined }> {
  const requestId = nextRequestId();
  worker.peer.message(runQueryEx(sealed.bytes, requestId));
  const messages = await answerMessages(worker.peer, requestId);
  const plaintexts: Buffer[] = [];
  let receipt: ExtE2eSignedReceipt | undefined;
  for (const message of messages) {
    if (message._ === 'ext.e2eReceipt') receipt = message.receipt as ExtE2eSignedReceipt;
    else if (message._ === 'proxy.queryAnswerEx' || message._ === 'proxy.queryAnswerPartEx') plaintexts.push(Buffer.from(sealed.answer.open(message.answer as Buffer).plaintext));
  }
  return { messages, plaintexts, receipt };
}

describe('an e2e proxy session', () => {
  let worker: WorkerUnderTest;
  let evidence: ExtE2eEvidence;
  before(async () => {
    worker = await startWorker();
    evidence = (await nextMessage(worker.peer)).evidence as ExtE2eEvidence; // announced right after the handshake
  });
  after(() => worker.close());

  test('the announced evidence verifies and binds the worker certificate', async () => {
    assert.deepEqual(evidence.key_set.certificate_public_key, worker.certificate.current().publicKey);
    const keys = await verifiedKeys(evidence, worker.time.now);
    assert.equal(keys.length, 1);
    assert.equal(keys[0]!.model, MODEL);
  });

  test('a sealed request is answered in sealed chunks with a receipt before the final message', async () => {
    const keys = await verifiedKeys(evidence, worker.time.now);
    const sealed = await sealChat(worker.time, keys, chat);
    const { messages, plaintexts, receipt } = await exchange(worker, sealed);
    assert.deepEqual(messages.map((message) => message._), ['ext.e2eReceipt', 'proxy.queryAnswerEx']);
    for (const message of messages) assert.doesNotMatch(Buffer.from(message.answer as Buffer ?? []).toString('latin1'), /secret/, 'the proxy sees no clear text');
    const response = decodeHttpResponse(plaintexts[0]!);
    assert.equal(response.statusCode, 200);
    assert.match(response.payload.toString(), /secret answer/);
    sealed.answer.finish();
    const verified = sealed.answer.verifyReceipt(receipt!);
    const finalInfo = messages.at(-1)!.final_info as TlObject;
    assert.deepEqual(verified.tokensUsed, finalInfo.tokens_used);
    assert.equal(verified.tokensUsed.total_tokens_used, 134n);
    assert.equal(verified.costNanoton, 134n * DEV_NETWORK_PARAMS.pricePerToken);
    assert.deepEqual([verified.status, verified.body.coefficient, verified.body.price_per_token, verified.body.proxy, verified.body.model, verified.body.answer_chunks],
      [0, 1000, DEV_NETWORK_PARAMS.pricePerToken, 'UQ-scripted-proxy-contract', MODEL, 1]);
    assert.equal(verified.body.worker_start_ms, BigInt(worker.time.now));
    // The engine got the clear request, as from any client.
    assert.match(worker.engine.requests.at(-1)!.body.toString(), /a secret prompt/);
  });

  test('a streamed answer: one chunk per message, the last one final', async () => {
    const keys = await verifiedKeys(evidence, worker.time.now);
    const sealed = await sealChat(worker.time, keys, { ...chat, stream: true });
    const { messages, plaintexts, receipt } = await exchange(worker, sealed);
    assert.ok(messages.length >= 3, `${messages.length} messages`);
    assert.equal(messages.at(-2)!._, 'ext.e2eReceipt');
    assert.equal(messages.filter((message) => message._ === 'ext.e2eReceipt').length, 1);
    const body = Buffer.concat([decodeHttpResponse(plaintexts[0]!).payload, ...plaintexts.slice(1)]).toString();
    assert.match(body, /"content":"secret ".*"content":"answer".*data: \[DONE\]/s);
    sealed.answer.finish();
    const verified = sealed.answer.verifyReceipt(receipt!);
    assert.equal(verified.body.answer_chunks, plaintexts.length);
    assert.deepEqual(verified.tokensUsed, (messages.at(-1)!.final_info as TlObject).tokens_used);
  });

  test('a replayed request is refused with a coded error and no receipt', async () => {
    const keys = await verifiedKeys(evidence, worker.time.now);
    const sealed = await sealChat(worker.time, keys, chat);
    await exchange(worker, sealed);
    const requestId = nextRequestId();
    worker.peer.message(runQueryEx(sealed.bytes, requestId));
    const [error, ...rest] = await answerMessages(worker.peer, requestId);
    assert.equal(rest.length, 0);
    assert.equal(error!._, 'ext.proxyQueryAnswerErrorCoded');
    assert.equal(error!.ccn_code, 'CCN_ERR_E2E_REPLAYED');
  });

  test('a garbage envelope is a coded error and the worker serves on', async () => {
    const garbage = Buffer.concat([Buffer.alloc(4), Buffer.from('not an e2e request at all')]);
    garbage.writeUInt32LE(constructorId('ext.e2eRequest'), 0);
    const requestId = nextRequestId();
    worker.peer.message(runQueryEx(garbage, requestId));
    const [error] = await answerMessages(worker.peer, requestId);
    assert.equal(error!.ccn_code, 'CCN_ERR_E2E_REQUEST_INVALID');
    assert.equal(error!.error_code, WireErrorCode.protoViolation);
    const keys = await verifiedKeys(evidence, worker.time.now);
    const { plaintexts } = await exchange(worker, await sealChat(worker.time, keys, chat));
    assert.equal(decodeHttpResponse(plaintexts[0]!).statusCode, 200);
  });

  test('a request for another model is refused before the engine', async () => {
    const keys = await verifiedKeys(evidence, worker.time.now);
    const before = worker.engine.requests.length;
    const sealed = await sealChat(worker.time, keys, { ...chat, model: 'Other/model' });
    const requestId = nextRequestId();
    worker.peer.message(runQueryEx(sealed.bytes, requestId));
    const [error] = await answerMessages(worker.peer, requestId);
    assert.equal(error!.ccn_code, 'CCN_ERR_E2E_REQUEST_INVALID');
    assert.equal(worker.engine.requests.length, before);
  });

  test('a decrypted request the validator refuses: a receipt with the error status, then the coded error', async () => {
    const keys = await verifiedKeys(evidence, worker.time.now);
    const sealed = await sealChat(worker.time, keys, { ...chat, frobnicate: true });
    const { messages, receipt } = await exchange(worker, sealed);
    assert.deepEqual(messages.map((message) => message._), ['ext.e2eReceipt', 'ext.proxyQueryAnswerErrorCoded']);
    assert.equal(messages[1]!.ccn_code, 'CCN_ERR_WORKER_INVALID_REQUEST');
    assert.doesNotMatch(messages[1]!.error as string, /frobnicate/, 'the clear error names no part of the sealed request');
    assert.equal(sealed.answer.verifyReceipt(receipt!).status, WireErrorCode.protoViolation);
  });

  test('an engine failure: the receipt carries the error status, then the coded error', async () => {
    const keys = await verifiedKeys(evidence, worker.time.now);
    const sealed = await sealChat(worker.time, keys, chat);
    worker.engine.failWith = new CocoonError('CCN_ERR_ENGINE_UNAVAILABLE', 'connect ECONNREFUSED');
    try {
      const { messages, receipt } = await exchange(worker, sealed);
      assert.deepEqual(messages.map((message) => message._), ['ext.e2eReceipt', 'ext.proxyQueryAnswerErrorCoded']);
      assert.throws(() => sealed.answer.finish(), { code: 'CCN_ERR_E2E_ANSWER_TRUNCATED' });
      const verified = sealed.answer.verifyReceipt(receipt!);
      assert.equal(verified.status, WireErrorCode.notReady);
      assert.equal(verified.body.answer_chunks, 0);
      assert.deepEqual(verified.tokensUsed, (messages.at(-1)!.final_info as TlObject).tokens_used);
    } finally {
      worker.engine.failWith = undefined;
    }
  });
});

describe('key rotation with grace', () => {
  test('the previous key opens requests within the grace only; each change (rotation, grace end, certificate, model) is announced', async () => {
    const worker = await startWorker({ graceSeconds: 600 });
    try {
      const first = (await nextMessage(worker.peer)).evidence as ExtE2eEvidence;
      const oldKeys = await verifiedKeys(first, worker.time.now);
      worker.time.advance(3600 * 1000); // rotation
      const rotated = await nextMessage(worker.peer);
      assert.equal(rotated._, 'ext.workerE2eEvidence');
      const rotatedSet = (rotated.evidence as ExtE2eEvidence).key_set;
      assert.equal(rotatedSet.keys.length, 2);
      assert.deepEqual(rotatedSet.keys[1]!.hpke_public_key, Buffer.from(oldKeys[0]!.hpkePublicKey));
      assert.equal(rotatedSet.keys[1]!.valid_until, Math.floor(worker.time.now / 1000) + 600);
      worker.time.advance(599 * 1000);
      const withinGrace = await exchange(worker, await sealChat(worker.time, oldKeys, chat));
      assert.equal(decodeHttpResponse(withinGrace.plaintexts[0]!).statusCode, 200);
      worker.time.advance(2000); // the grace is over
      const graceEnded = await nextMessage(worker.peer);
      assert.equal((graceEnded.evidence as ExtE2eEvidence).key_set.keys.length, 1);
      const requestId = nextRequestId();
      // A client holding stale evidence (its sealer would refuse the expired key itself): the worker refuses too.
      const staleKeys = oldKeys.map((key) => ({ ...key, validUntil: Number.MAX_SAFE_INTEGER }));
      worker.peer.message(runQueryEx((await sealChat(worker.time, staleKeys, chat)).bytes, requestId));
      const [error] = await answerMessages(worker.peer, requestId);
      assert.equal(error!.ccn_code, 'CCN_ERR_E2E_REQUEST_INVALID');
      assert.match(error!.error as string, /no recipient key is a current key/);
      const fresh = await verifiedKeys(graceEnded.evidence as ExtE2eEvidence, worker.time.now);
      assert.equal(decodeHttpResponse((await exchange(worker, await sealChat(worker.time, fresh, chat))).plaintexts[0]!).statusCode, 200);
      await worker.certificate.refresh(); // a new certificate: evidence under its key
      const refreshed = (await nextMessage(worker.peer)).evidence as ExtE2eEvidence;
      assert.deepEqual(refreshed.key_set.certificate_public_key, worker.certificate.current().publicKey);
      const revision = `${BASE_MODEL}@next:${'cd'.repeat(32)}`;
      await worker.models.change(revision); // a model switch: the keys now name the new model
      const switched = (await nextMessage(worker.peer)).evidence as ExtE2eEvidence;
      assert.deepEqual(switched.key_set.keys.map((key) => key.model), [revision]);
      const { receipt, plaintexts } = await exchange(worker, await sealChat(worker.time, await verifiedKeys(switched, worker.time.now), chat));
      assert.equal(decodeHttpResponse(plaintexts[0]!).statusCode, 200);
      assert.equal(receipt!.body.model, revision);
    } finally {
      await worker.close();
    }
  });
});

describe('a reference proxy session', () => {
  test('never receives an ext.e2e* message, and an e2e-looking query is not opened', async () => {
    const worker = await startWorker({ reference: true });
    try {
      const seen: TlObject[] = [];
      const plain = encodeHttpRequest({ method: 'POST', url: '/v1/chat/completions', httpVersion: 'HTTP/1.1', headers: [['Content-Type', 'application/json']], payload: Buffer.from(JSON.stringify(chat)) });
      const plainId = nextRequestId();
      worker.peer.message(runQueryEx(plain, plainId));
      const [answer] = await answerMessages(worker.peer, plainId, seen);
      assert.equal(answer!._, 'proxy.queryAnswerEx');
      assert.match(decodeHttpResponse(answer!.answer as Buffer).payload.toString(), /secret answer/);
      const sealed = await sealChat(worker.time, await verifiedKeys(worker.e2e.announcer.evidence(), worker.time.now), chat);
      const sealedId = nextRequestId();
      worker.peer.message(runQueryEx(sealed.bytes, sealedId));
      const [error] = await answerMessages(worker.peer, sealedId, seen);
      assert.equal(error!._, 'proxy.queryAnswerErrorEx');
      worker.time.advance(3600 * 1000); // a rotation is not announced here either
      await worker.certificate.refresh();
      const lastId = nextRequestId();
      worker.peer.message(runQueryEx(plain, lastId));
      await answerMessages(worker.peer, lastId, seen);
      assert.deepEqual(seen.filter((message) => message._.startsWith('ext.')), []);
      assert.equal(worker.e2e.announcer.sent, 0);
    } finally {
      await worker.close();
    }
  });
});
