/**
 * How the proxy routes end-to-end requests (docs/protocol.md §22), on real TLS sessions: only to
 * workers whose latest evidence lists a recipient key (never to a reference worker or an e2e-capable
 * worker without evidence), failing over to the next recipient when the first disconnects before
 * answering (its receipt is not relayed); CCN_ERR_E2E_NO_RECIPIENT when no recipient is connected and
 * for a client session without 'e2e'; malformed envelopes refused with the session kept open.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { WireErrorCode, encodeBoxed } from '@cocoon/protocol';
import type { CocoonSession, TlObject } from '@cocoon/protocol';
import { startTestProxy } from '../network/proxy-test-peer.ts';
import type { TestProxy } from '../network/proxy-test-peer.ts';
import {
  answerOneChunk, answerSealed, authorizedClient, boxedChunk, e2eRunQuery, exchange, nextRequestOf, scriptedWorker, sealedQuery, signedReceipt,
} from './e2e-test-peers.ts';
import type { ScriptedWorker } from './e2e-test-peers.ts';

const MODEL = 'test/e2e-route';
const FAILOVER_MODEL = 'test/e2e-failover';
const REFERENCE_ONLY_MODEL = 'test/e2e-reference-only';

const finalOf = (messages: TlObject[]): TlObject => messages.at(-1)!;

describe('e2e routing in the proxy', () => {
  const keyA = randomBytes(32);
  const keyB = randomBytes(32);
  const keyF1 = randomBytes(32);
  const keyF2 = randomBytes(32);
  let proxy: TestProxy;
  let workerA: ScriptedWorker;
  let workerB: ScriptedWorker;
  let reference: ScriptedWorker;
  let withoutEvidence: ScriptedWorker;
  let referenceOnly: ScriptedWorker;
  let failover: ScriptedWorker[];
  let client: CocoonSession;
  let referenceClient: CocoonSession;

  before(async () => {
    proxy = await startTestProxy({ max_attempts: 3 });
    // Registered first and idle: the rule would pick these if the recipient filter did not exclude them.
    reference = await scriptedWorker(proxy.workerPort, { model: `${MODEL}@r:h`, offerExtensions: false });
    withoutEvidence = await scriptedWorker(proxy.workerPort, { model: `${MODEL}@r:h` });
    workerA = await scriptedWorker(proxy.workerPort, { model: `${MODEL}@r:h`, hpkeKeys: [keyA] });
    workerB = await scriptedWorker(proxy.workerPort, { model: `${MODEL}@r:h`, hpkeKeys: [keyB] });
    referenceOnly = await scriptedWorker(proxy.workerPort, { model: `${REFERENCE_ONLY_MODEL}@r:h`, offerExtensions: false });
    failover = [
      await scriptedWorker(proxy.workerPort, { model: `${FAILOVER_MODEL}@r:h`, hpkeKeys: [keyF1] }),
      await scriptedWorker(proxy.workerPort, { model: `${FAILOVER_MODEL}@r:h`, hpkeKeys: [keyF2] }),
    ];
    for (const worker of [reference, withoutEvidence, workerA, workerB, referenceOnly]) worker.script = answerOneChunk;
    client = await authorizedClient(proxy.clientPort);
    referenceClient = await authorizedClient(proxy.clientPort, false);
    assert.equal(reference.session.extensions.size + referenceClient.extensions.size, 0);
  });

  after(async () => {
    for (const worker of [reference, withoutEvidence, workerA, workerB, referenceOnly, ...(failover ?? [])]) worker?.session.close();
    client?.close();
    referenceClient?.close();
    await proxy?.handle.close();
  });

  test('goes only to the worker holding a recipient key; a reference worker never receives an e2e query', async () => {
    for (let round = 0; round < 4; round += 1) {
      const messages = await exchange(client, e2eRunQuery(MODEL, sealedQuery(MODEL, [keyB])));
      assert.equal(finalOf(messages)._, 'client.queryAnswerEx');
    }
    const toA = await exchange(client, e2eRunQuery(MODEL, sealedQuery(MODEL, [randomBytes(32), keyA])));
    assert.equal(finalOf(toA)._, 'client.queryAnswerEx');
    assert.equal(workerB.received.length, 4);
    assert.equal(workerA.received.length, 1);
    assert.equal(reference.received.length, 0, 'a reference worker never sees an e2e query');
    assert.equal(withoutEvidence.received.length, 0, 'an e2e worker without evidence is no recipient');
  });

  test('fails over to the second recipient when the first disconnects before answering; only the second receipt is relayed', async () => {
    const query = sealedQuery(FAILOVER_MODEL, [keyF1, keyF2]);
    const firstReceipt = signedReceipt(FAILOVER_MODEL, 1n);
    const secondReceipt = signedReceipt(FAILOVER_MODEL, 9n);
    const chunk = boxedChunk(0, true, 80);
    const firstArrives = nextRequestOf(failover);
    const answered = exchange(client, e2eRunQuery(FAILOVER_MODEL, query), true);
    const first = await firstArrives;
    const second = failover.find((worker) => worker !== first)!;
    second.script = (self, request) => answerSealed(self, request, [chunk], secondReceipt, 9n);
    first.session.send({ _: 'ext.e2eReceipt', request_id: first.received[0]!.request_id, receipt: firstReceipt });
    first.session.close();
    const messages = await answered;
    assert.ok((second.received[0]!.query as Buffer).equals(query), 'the second recipient gets the same bytes');
    assert.ok((first.received[0]!.query as Buffer).equals(query));
    assert.deepEqual(messages.map((message) => message._), ['ext.e2eReceipt', 'client.queryAnswerEx', 'proxy.clientRequestPayment']);
    assert.ok(encodeBoxed(messages[0]!.receipt as TlObject).equals(encodeBoxed(secondReceipt)));
    assert.ok((messages[1]!.answer as Buffer).equals(chunk));
    assert.equal(messages[2]!.request_tokens, 9n);
  });

  test('no connected recipient is CCN_ERR_E2E_NO_RECIPIENT (503, retryable), whatever else serves the model', async () => {
    for (const model of [MODEL, REFERENCE_ONLY_MODEL, 'test/e2e-nobody']) {
      const messages = await exchange(client, e2eRunQuery(model, sealedQuery(model, [randomBytes(32)])));
      assert.equal(messages.length, 1);
      assert.equal(messages[0]!._, 'ext.clientQueryAnswerErrorCoded');
      assert.equal(messages[0]!.ccn_code, 'CCN_ERR_E2E_NO_RECIPIENT', model);
      assert.equal(messages[0]!.error_code, WireErrorCode.notReady);
    }
    assert.equal(referenceOnly.received.length + reference.received.length, 0);
  });

  test('a client session without e2e is refused, and no worker sees its query', async () => {
    const before = workerA.received.length;
    const messages = await exchange(referenceClient, e2eRunQuery(MODEL, sealedQuery(MODEL, [keyA])));
    assert.equal(messages.length, 1);
    assert.equal(messages[0]!._, 'client.queryAnswerErrorEx', 'a reference session only gets reference frames');
    assert.equal(messages[0]!.error_code, WireErrorCode.notReady);
    assert.match(messages[0]!.error as string, /negotiated e2e/);
    assert.equal(workerA.received.length, before);
  });

  test('a malformed envelope or a header for another model is CCN_ERR_E2E_REQUEST_INVALID; the session stays open', async () => {
    const sealed = sealedQuery(MODEL, [keyA]);
    const truncated = sealed.subarray(0, 40);
    const wrongModel = sealedQuery('test/other-model', [keyA]);
    for (const query of [truncated, wrongModel]) {
      const messages = await exchange(client, e2eRunQuery(MODEL, query));
      assert.equal(messages[0]!.ccn_code, 'CCN_ERR_E2E_REQUEST_INVALID');
    }
    assert.ok(client.isOpen);
    assert.equal(finalOf(await exchange(client, e2eRunQuery(MODEL, sealed)))._, 'client.queryAnswerEx');
  });
});
