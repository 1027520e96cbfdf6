// createCocoon against the relay double with a real worker side: chat and legacy completions, streamed
// and not, each with its verified receipt; the relay never sees the prompt; models.list; attestation
// verdicts (evidence verified once for the verdict and the requests after it); every failure a
// CocoonRequestError with its code, status and retryable flag; aborting a stream mid-way.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CocoonError } from '@cocoon/protocol';
import { CocoonRequestError, CocoonStream, createCocoon } from '@cocoon/sdk';
import type { ChatCompletionChunk, Completion } from '@cocoon/sdk';
import { E2eTestRelay, KeySetTrustingVerifier, TEST_MODEL } from './e2e-test-relay.ts';

const BASE = 'http://runner.test:10000';
const CANARY = 'canary-3b9d42';
const MODEL = 'test/tiny-chat';

async function setup() {
  const relay = await E2eTestRelay.create();
  const verifier = new KeySetTrustingVerifier();
  const cocoon = createCocoon({ baseURL: BASE, verifier, fetch: relay.fetch });
  return { relay, verifier, cocoon };
}

const ask = (content = CANARY) => ({ model: MODEL, messages: [{ role: 'user' as const, content }], max_tokens: 9 });

function assertNeverInClear(relay: E2eTestRelay, secret: string): void {
  assert.ok(relay.bodies.length > 0);
  for (const body of relay.bodies) assert.ok(!Buffer.from(body).toString('latin1').includes(secret), 'the text reached the relay in clear');
}

/** The error a promise rejects with, asserted to be a CocoonRequestError. */
async function failure(promise: Promise<unknown>): Promise<CocoonRequestError> {
  const error = await promise.then(() => assert.fail('expected a failure'), (caught: unknown) => caught);
  assert.ok(error instanceof CocoonRequestError, `not a CocoonRequestError: ${String(error)}`);
  assert.ok(error instanceof CocoonError);
  return error;
}

async function collect<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of stream) items.push(item);
  return items;
}

describe('chat.completions.create', () => {
  test('non-streamed: the answer and its verified receipt; the relay sees only ciphertext', async () => {
    const { relay, cocoon } = await setup();
    const answer = await cocoon.chat.completions.create(ask());
    assert.equal(answer.object, 'chat.completion');
    assert.equal(answer.choices[0]!.message.content, `echo: ${CANARY}`);
    assert.equal(answer.receipt.verified, true);
    assert.equal(answer.receipt.model, TEST_MODEL);
    assert.equal(answer.receipt.cost_nanoton, '140');
    assert.equal(answer.receipt.cost_ton, '0.00000014');
    assert.deepEqual(answer.receipt.tokens_used, { prompt: 3, cached: 0, completion: 4, reasoning: 0, total: 7 });
    assert.equal(answer.receipt.authority, 'test authority sha256:0000000000000000');
    assert.equal(relay.opened.length, 1);
    assert.deepEqual(relay.opened[0]!.json, ask());
    assert.equal(relay.opened[0]!.header.maxTokens, 9);
    assertNeverInClear(relay, CANARY);
  });

  test('streamed: ChatCompletionChunks as they come; the receipt settles after the last one', async () => {
    const { relay, cocoon } = await setup();
    const stream = await cocoon.chat.completions.create({ ...ask(), stream: true });
    assert.ok(stream instanceof CocoonStream);
    assert.equal(stream.status, 200);
    const chunks: ChatCompletionChunk[] = await collect(stream);
    assert.ok(chunks.length >= 2);
    assert.ok(chunks.every((chunk) => chunk.object === 'chat.completion.chunk'));
    assert.equal(chunks.map((chunk) => chunk.choices[0]!.delta.content).join(''), `echo: ${CANARY}`);
    const receipt = await stream.receipt;
    assert.equal(receipt.verified, true);
    assert.equal(receipt.request_id, stream.requestId);
    assert.equal(relay.opened[0]!.json!.stream, true);
    assertNeverInClear(relay, CANARY);
  });

  test('a stream is read once; toReadableStream gives the chunks as NDJSON', async () => {
    const { cocoon } = await setup();
    const stream = await cocoon.chat.completions.create({ ...ask('a b c'), stream: true });
    const text = await new Response(stream.toReadableStream()).text();
    const lines = text.trim().split('\n').map((line) => JSON.parse(line) as ChatCompletionChunk);
    assert.equal(lines.map((chunk) => chunk.choices[0]!.delta.content).join(''), 'echo: a b c');
    assert.equal((await stream.receipt).verified, true);
    await assert.rejects(collect(stream), { code: 'CCN_ERR_INTERNAL', message: /read once/ });
  });

  test('a stream spoiled after its first chunk fails the loop and the receipt with the code; [DONE] is never reached', async () => {
    const { relay, cocoon } = await setup();
    relay.tamper = (events) => events.filter((event) => event.type !== 'receipt');
    const stream = await cocoon.chat.completions.create({ ...ask('one two three'), stream: true });
    const seen: string[] = [];
    const error = await failure((async () => { for await (const chunk of stream) seen.push(chunk.choices[0]!.delta.content ?? ''); })());
    assert.equal(error.code, 'CCN_ERR_E2E_RECEIPT_INVALID');
    assert.equal(error.status, 502);
    assert.equal(error.retryable, false);
    assert.equal(error.requestId, stream.requestId);
    await assert.rejects(stream.receipt, { code: 'CCN_ERR_E2E_RECEIPT_INVALID' });
  });
});

describe('completions.create', () => {
  test('non-streamed and streamed legacy completions, with receipts', async () => {
    const { relay, cocoon } = await setup();
    const whole = await cocoon.completions.create({ model: MODEL, prompt: CANARY, max_tokens: 5 });
    assert.equal(whole.object, 'text_completion');
    assert.equal(whole.choices[0]!.text, `echo: ${CANARY}`);
    assert.equal(whole.receipt.verified, true);
    assert.equal(relay.opened[0]!.path, '/v1/completions');
    const stream = await cocoon.completions.create({ model: MODEL, prompt: 'x y', stream: true });
    const pieces: Completion[] = await collect(stream);
    assert.equal(pieces.map((piece) => piece.choices[0]!.text).join(''), 'echo: x y');
    assert.equal((await stream.receipt).verified, true);
    assertNeverInClear(relay, CANARY);
  });
});

describe('models.list', () => {
  test("the runner's models with their workers", async () => {
    const { cocoon } = await setup();
    const page = await cocoon.models.list();
    assert.equal(page.object, 'list');
    assert.deepEqual(page.data.map((model) => model.id), ['test/tiny-chat']);
    assert.equal(page.data[0]!.workers[0]!.price_per_token_nanoton, 20);
  });
});

describe('attestation.verify', () => {
  test('a verdict of the verified workers; the evidence is verified once for the verdict and the requests after it', async () => {
    const { cocoon, verifier } = await setup();
    const verdict = await cocoon.attestation.verify(MODEL);
    assert.equal(verdict.verified, true);
    assert.equal(verdict.model, MODEL);
    assert.deepEqual(verdict.authority, { kind: 'custom', name: 'the injected verifier', sha256: '' });
    assert.equal(verdict.workers.length, 1);
    const [worker] = verdict.workers;
    assert.equal(worker!.imageHash, '07'.repeat(32));
    assert.equal(worker!.tee, 'test');
    assert.equal(worker!.model, TEST_MODEL);
    assert.equal(worker!.authority, 'test authority sha256:0000000000000000');
    assert.match(worker!.keyId, /^[0-9a-f]{16}$/);
    assert.ok(Date.parse(worker!.validUntil) > Date.now());
    assert.deepEqual(verdict.refused, []);
    assert.deepEqual(verdict.trust, { hashesChecked: false, networkIsTest: true });
    assert.equal(verdict.hashes, 'unchecked');
    await cocoon.chat.completions.create(ask());
    assert.equal(verifier.calls, 1);
  });

  test('refused evidence is a verdict with the reason, not an exception; no listed worker is CCN_ERR_E2E_UNAVAILABLE', async () => {
    const { relay, cocoon, verifier } = await setup();
    verifier.refuse = 'quote: the TCB is out of date';
    const verdict = await cocoon.attestation.verify(MODEL);
    assert.equal(verdict.verified, false);
    assert.deepEqual(verdict.workers, []);
    assert.deepEqual(verdict.refused, [{ index: 0, code: 'CCN_ERR_E2E_EVIDENCE_INVALID', reason: 'quote: the TCB is out of date' }]);
    relay.workersListed = false;
    const error = await failure(cocoon.attestation.verify(MODEL));
    assert.equal(error.code, 'CCN_ERR_E2E_UNAVAILABLE');
  });
});

describe('typed errors', () => {
  test('evidence refused: CCN_ERR_E2E_EVIDENCE_INVALID (502, not retryable), and nothing is sent', async () => {
    const { relay, cocoon, verifier } = await setup();
    verifier.refuse = 'certificate: not attested';
    const error = await failure(cocoon.chat.completions.create(ask()));
    assert.equal(error.code, 'CCN_ERR_E2E_EVIDENCE_INVALID');
    assert.equal(error.status, 502);
    assert.equal(error.retryable, false);
    assert.match(error.message, /certificate: not attested/);
    assert.equal(relay.opened.length, 0);
    assert.ok(relay.bodies.every((body) => body.length === 0), 'a request body left the device');
  });

  test('runner down, or no end-to-end worker: CCN_ERR_E2E_UNAVAILABLE (503); never sent in clear', async () => {
    const { relay, cocoon } = await setup();
    relay.down = true;
    const down = await failure(cocoon.chat.completions.create(ask()));
    assert.equal(down.code, 'CCN_ERR_E2E_UNAVAILABLE');
    assert.equal(down.status, 503);
    assert.match(down.message, /no client runner answers at http:\/\/runner\.test:10000/);
    assert.equal((await failure(cocoon.models.list())).code, 'CCN_ERR_E2E_UNAVAILABLE');
    relay.down = false;
    relay.workersListed = false;
    const none = await failure(cocoon.chat.completions.create(ask()));
    assert.equal(none.code, 'CCN_ERR_E2E_UNAVAILABLE');
    assert.equal(relay.plainRequests, 0);
  });

  test("a worker's error body maps to its code and keeps the worker's status", async () => {
    const { relay, cocoon } = await setup();
    relay.worker = () => ({ status: 400, contentType: 'application/json', pieces: [JSON.stringify({ error: { message: "'logit_bias' is not supported", type: 'invalid_request_error', code: 'CCN_ERR_ENGINE_UNSUPPORTED_PARAMETER', param: 'logit_bias' } })] });
    const coded = await failure(cocoon.chat.completions.create(ask()));
    assert.equal(coded.code, 'CCN_ERR_ENGINE_UNSUPPORTED_PARAMETER');
    assert.equal(coded.status, 400);
    assert.equal(coded.param, 'logit_bias');
    assert.equal(coded.retryable, false);
    assert.match(coded.requestId!, /^[0-9a-f]{64}$/);
    // An engine's own error (vLLM's shape, no COCOON code): by status, retryable when the engine is busy.
    relay.worker = () => ({ status: 503, contentType: 'application/json', pieces: [JSON.stringify({ object: 'error', message: 'the engine is loading', type: 'ServiceUnavailableError', code: 503 })] });
    const busy = await failure(cocoon.chat.completions.create({ ...ask(), stream: true }));
    assert.equal(busy.code, 'CCN_ERR_ENGINE_UNAVAILABLE');
    assert.equal(busy.status, 503);
    assert.equal(busy.retryable, true);
    assert.equal(busy.message, 'the engine is loading');
  });

  test("the relay's refusal and its error line keep their codes and retryable flags", async () => {
    const { relay, cocoon } = await setup();
    relay.refuseWith = { status: 503, code: 'CCN_ERR_E2E_NO_RECIPIENT' };
    const refused = await failure(cocoon.chat.completions.create(ask()));
    assert.equal(refused.code, 'CCN_ERR_E2E_NO_RECIPIENT');
    assert.equal(refused.status, 503);
    assert.equal(refused.retryable, true);
    relay.refuseWith = undefined;
    relay.tamper = (events) => [events[0]!, { type: 'error', error: { code: 'CCN_ERR_WORKER_OVERLOADED', message: 'busy' } }];
    const overloaded = await failure(cocoon.chat.completions.create(ask()));
    assert.equal(overloaded.code, 'CCN_ERR_WORKER_OVERLOADED');
    assert.equal(overloaded.retryable, true);
    relay.tamper = (events) => events.slice(0, -1);
    assert.equal((await failure(cocoon.chat.completions.create(ask()))).code, 'CCN_ERR_E2E_ANSWER_TRUNCATED');
  });

  test('bad input is CCN_ERR_HTTP_BAD_REQUEST before anything is sent; a bad baseURL or policy fails createCocoon', async () => {
    const { relay, cocoon } = await setup();
    const error = await failure(cocoon.chat.completions.create({ messages: [] } as never));
    assert.equal(error.code, 'CCN_ERR_HTTP_BAD_REQUEST');
    assert.equal(error.param, 'model');
    assert.equal(relay.bodies.length, 0);
    assert.throws(() => createCocoon({ baseURL: 'runner:10000' }), { code: 'CCN_ERR_CONFIG_INVALID' });
    assert.throws(() => createCocoon({ baseURL: BASE, policy: { trust: { devRootDer: 'not a certificate' }, networkIsTest: true } }), { code: 'CCN_ERR_CONFIG_INVALID' });
  });
});

describe('aborting', () => {
  test('abort() mid-stream ends the loop, aborts the relay fetch and rejects the receipt with CCN_ERR_CANCELLED', async () => {
    const { relay, cocoon } = await setup();
    relay.stallAfter = 2; // the head chunk and the first piece, then nothing until the app gives up
    const stream = await cocoon.chat.completions.create({ ...ask('one two three four'), stream: true });
    const seen: ChatCompletionChunk[] = [];
    for await (const chunk of stream) {
      seen.push(chunk);
      stream.abort();
    }
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.choices[0]!.delta.content, 'echo:');
    await assert.rejects(stream.receipt, { code: 'CCN_ERR_CANCELLED' });
    assert.equal(relay.abortedAnswers, 1);
  });

  test("a break out of the loop, or the call's signal, cancels the same way", async () => {
    const { relay, cocoon } = await setup();
    relay.stallAfter = 2;
    const broken = await cocoon.chat.completions.create({ ...ask('a b c'), stream: true });
    for await (const _chunk of broken) break;
    await assert.rejects(broken.receipt, { code: 'CCN_ERR_CANCELLED' });
    const controller = new AbortController();
    const signalled = await cocoon.chat.completions.create({ ...ask('a b c'), stream: true }, { signal: controller.signal });
    const iterator = signalled[Symbol.asyncIterator]();
    assert.equal((await iterator.next()).done, false);
    const pending = iterator.next(); // waits on the stalled relay
    controller.abort();
    assert.equal((await pending).done, true);
    await assert.rejects(signalled.receipt, { code: 'CCN_ERR_CANCELLED' });
    assert.equal(relay.abortedAnswers, 2);
    const early = new AbortController();
    early.abort();
    assert.equal((await failure(cocoon.chat.completions.create(ask(), { signal: early.signal }))).code, 'CCN_ERR_CANCELLED');
  });
});
