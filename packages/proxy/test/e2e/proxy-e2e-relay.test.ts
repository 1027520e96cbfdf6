/**
 * The proxy relays end-to-end requests blind (docs/protocol.md §22), on real TLS sessions: the sealed
 * query reaches the worker byte-identical (no debug, no key-ring key), every answer chunk reaches the
 * client byte-identical (no X-Cocoon-Proxy-* header is added: the proxy cannot decode it), the
 * worker's receipt arrives with the client's request id right before the final message, even when the
 * client has no credit left, and the request is billed from the worker's final_info.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { encodeBoxed, isAllZero } from '@cocoon/protocol';
import type { CocoonSession, TlObject } from '@cocoon/protocol';
import { startTestProxy } from '../network/proxy-test-peer.ts';
import type { TestProxy } from '../network/proxy-test-peer.ts';
import { answerSealed, authorizedClient, boxedChunk, e2eRunQuery, exchange, scriptedWorker, sealedQuery, signedReceipt } from './e2e-test-peers.ts';
import type { ScriptedWorker } from './e2e-test-peers.ts';

const MODEL = 'test/e2e-relay';

/** `promise`, or a failure naming `what` once `ms` passed (a bound, not a timing assertion). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(what)), ms); });
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}

describe('e2e relay through the proxy', () => {
  const key = randomBytes(32);
  let proxy: TestProxy;
  let worker: ScriptedWorker;
  let client: CocoonSession;

  before(async () => {
    proxy = await startTestProxy();
    worker = await scriptedWorker(proxy.workerPort, { model: `${MODEL}@rev:hash`, hpkeKeys: [key] });
    client = await authorizedClient(proxy.clientPort);
    assert.ok(client.extensions.has('e2e') && worker.session.extensions.has('e2e'));
  });

  after(async () => {
    worker?.session.close();
    client?.close();
    await proxy?.handle.close();
  });

  test('query and chunks pass byte-identical, the receipt comes right before the final, billing follows final_info', async () => {
    const query = sealedQuery(MODEL, [key]);
    const chunks = [boxedChunk(0, false, 300), boxedChunk(1, false, 5000), boxedChunk(2, true, 64)];
    const receipt = signedReceipt(`${MODEL}@rev:hash`, 42n);
    worker.script = (self, request) => answerSealed(self, request, chunks, receipt, 42n);
    // Debug asked and a proto-3 public key given: neither applies to an e2e request (no key-ring lookup, no debug).
    const run = e2eRunQuery(MODEL, query, { flags: 3, enable_debug: true, public_key: randomBytes(32) });
    const messages = await exchange(client, run, true);

    const forwarded = worker.received.at(-1)!;
    assert.ok((forwarded.query as Buffer).equals(query), 'the sealed query reaches the worker unchanged');
    assert.equal(forwarded.enable_debug, false, 'no debug for e2e');
    assert.ok(forwarded.private_key === undefined || isAllZero(forwarded.private_key as Buffer), 'no key-ring key for e2e');

    assert.deepEqual(messages.map((message) => message._), [
      'client.queryAnswerEx', 'client.queryAnswerPartEx', 'ext.e2eReceipt', 'client.queryAnswerPartEx', 'proxy.clientRequestPayment',
    ]);
    const answers = messages.filter((message) => message._ !== 'ext.e2eReceipt' && message._ !== 'proxy.clientRequestPayment');
    answers.forEach((message, index) => assert.ok((message.answer as Buffer).equals(chunks[index]!), `chunk ${index} byte-identical`));
    const relayed = messages[2]!;
    assert.ok((relayed.request_id as Buffer).equals(run.request_id as Buffer), "the client's request id");
    assert.ok(encodeBoxed(relayed.receipt as TlObject).equals(encodeBoxed(receipt)), 'the signed receipt unchanged');
    const final = messages[3]!;
    assert.equal(((final.final_info as TlObject).tokens_used as TlObject).total_tokens_used, 42n);
    assert.equal(messages[4]!.request_tokens, 42n, 'billed what final_info reports');
  });

  test('the receipt and the final leave although the client granted no credit beyond its first window', async () => {
    const chunks = [boxedChunk(0, false, 1536 * 1024), boxedChunk(1, true, 16)]; // the first chunk spends the whole 1 MiB window
    const receipt = signedReceipt(MODEL, 7n);
    worker.script = (self, request) => answerSealed(self, request, chunks, receipt, 7n);
    const all = await within(exchange(client, e2eRunQuery(MODEL, sealedQuery(MODEL, [key]))), 5000, 'the receipt or the final waited for credit');
    // The payment is not part of the answer stream: it may pass a final that waits for the client socket.
    const messages = all.filter((message) => message._ !== 'proxy.clientRequestPayment');
    assert.deepEqual(messages.map((message) => message._), ['client.queryAnswerEx', 'ext.e2eReceipt', 'client.queryAnswerPartEx']);
    assert.ok((messages[0]!.answer as Buffer).equals(chunks[0]!));
    assert.ok((messages[2]!.answer as Buffer).equals(chunks[1]!));
  });

  test('an error final after chunks still carries the receipt before it', async () => {
    const receipt = signedReceipt(MODEL, 3n);
    worker.script = (self, request) => {
      const id = request.request_id as Buffer;
      self.session.send({ _: 'proxy.queryAnswerEx', request_id: id, answer: boxedChunk(0, false, 50), flags: 0 });
      self.session.send({ _: 'ext.e2eReceipt', request_id: id, receipt });
      self.session.send({
        _: 'ext.proxyQueryAnswerErrorCoded', request_id: id, error_code: 502, error: 'engine failed', ccn_code: 'CCN_ERR_ENGINE_FAILED', flags: 1,
        final_info: { _: 'proxy.queryFinalInfo', flags: 2, tokens_used: receipt.body.tokens_used, worker_start_time: 1, worker_end_time: 2 },
      });
    };
    const messages = await exchange(client, e2eRunQuery(MODEL, sealedQuery(MODEL, [key])));
    assert.deepEqual(messages.map((message) => message._), ['client.queryAnswerEx', 'ext.e2eReceipt', 'ext.clientQueryAnswerErrorCoded']);
    assert.equal(messages[2]!.ccn_code, 'CCN_ERR_ENGINE_FAILED');
  });
});
