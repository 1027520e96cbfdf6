// End-to-end encryption (§22) as the app, worker and proxy use it: seal → open → answer chunks →
// receipt, several recipients, the proxy's routing view, and the HPKE caches (one setup per key).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  E2eHpkeRecipientCache, E2eHpkeSenderCache, E2eRequestOpener, E2eRequestSealer, decodeBoxed, isE2eRequestBytes, readE2eRequestRouting,
} from '../../src/index.ts';
import type { HttpResponse } from '../../src/index.ts';
import { MODEL, MODEL_BASE, TestClock, answerWith, chatPayload, countingSetup, sealInput, verifiedKeyOf, workerKeys } from './e2e-fixtures.ts';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('e2e round trip', () => {
  test('seal → open → answer chunks → receipt', async () => {
    const clock = new TestClock();
    const [worker] = await workerKeys(1);
    const sealer = new E2eRequestSealer({ now: clock.now });
    const opener = new E2eRequestOpener({ keys: () => [worker!], model: MODEL, now: clock.now });
    const sealed = await sealer.seal(sealInput([verifiedKeyOf(worker!)]));
    assert.equal(isE2eRequestBytes(sealed.bytes), true);
    assert.equal(Buffer.from(sealed.bytes).includes(Buffer.from('a secret prompt')), false, 'the prompt is not in clear');

    const opened = await opener.open(sealed.bytes);
    assert.deepEqual(opened.requestHash, sealed.requestHash);
    assert.deepEqual(opened.headerHash, sealed.headerHash);
    assert.equal(opened.http.method, 'POST');
    assert.equal(opened.http.url, '/v1/chat/completions');
    assert.equal(JSON.parse(text(opened.http.payload)).messages[0].content, 'a secret prompt ünïcödé');
    assert.deepEqual(new Uint8Array(opened.header.request_id), sealed.requestId);

    const { chunks, receipt } = answerWith(opened, ['data: {"a":1}\n\n', 'data: [DONE]\n\n']);
    const plain = chunks.map((chunk) => sealed.answer.open(chunk));
    assert.deepEqual(plain.map((entry) => entry.final), [false, false, true]);
    const head = decodeBoxed(Buffer.from(plain[0]!.plaintext)) as HttpResponse;
    assert.equal(head.status_code, 200);
    assert.equal(text(plain[2]!.plaintext), 'data: [DONE]\n\n');
    sealed.answer.finish();
    assert.deepEqual(sealed.answer.answerHash, opened.answer.answerHash);
    const verified = sealed.answer.verifyReceipt(receipt);
    assert.equal(verified.status, 0);
    assert.equal(verified.body.answer_chunks, 3);
    assert.equal(verified.costNanoton, 360n);
    assert.deepEqual(verified.key.hpkePublicKey, worker!.hpkePublicKey);
    // The boxed bytes verify the same way.
    assert.equal(sealed.answer.verifyReceipt(verified.bytes).status, 0);
  });

  test('each of several recipients can open the same request; a non-recipient cannot', async () => {
    const clock = new TestClock();
    const workers = await workerKeys(4);
    const sealed = await new E2eRequestSealer({ now: clock.now }).seal(sealInput(workers.slice(0, 3).map((pair) => verifiedKeyOf(pair))));
    for (const worker of workers.slice(0, 3)) {
      const opened = await new E2eRequestOpener({ keys: () => [worker], model: MODEL, now: clock.now }).open(sealed.bytes);
      assert.deepEqual(opened.key.hpkePublicKey, worker.hpkePublicKey);
      assert.equal(JSON.parse(text(opened.http.payload)).model, MODEL_BASE);
    }
    const outsider = new E2eRequestOpener({ keys: () => [workers[3]!], model: MODEL, now: clock.now });
    await assert.rejects(outsider.open(sealed.bytes), { code: 'CCN_ERR_E2E_REQUEST_INVALID', message: /no recipient key/ });
  });

  test('a retired key no longer opens; the previous key in its grace period still does', async () => {
    const clock = new TestClock();
    const [previous, current] = await workerKeys(2);
    let keys = [current!, previous!];
    const opener = new E2eRequestOpener({ keys: () => keys, model: MODEL, now: clock.now });
    const sealer = new E2eRequestSealer({ now: clock.now });
    await opener.open((await sealer.seal(sealInput([verifiedKeyOf(previous!)]))).bytes);
    keys = [current!];
    await assert.rejects(opener.open((await sealer.seal(sealInput([verifiedKeyOf(previous!)]))).bytes), { code: 'CCN_ERR_E2E_REQUEST_INVALID' });
  });

  test('the proxy reads the header and recipients only', async () => {
    const clock = new TestClock();
    const workers = await workerKeys(2);
    const sealed = await new E2eRequestSealer({ now: clock.now }).seal(sealInput(workers.map((pair) => verifiedKeyOf(pair))));
    const routing = readE2eRequestRouting(sealed.bytes);
    assert.equal(routing.header.model, MODEL_BASE);
    assert.equal(routing.header.max_tokens, 64);
    assert.equal(routing.header.max_coefficient, 4000);
    assert.equal(routing.header.timeout_ms, 30_000);
    assert.equal(routing.header.created_at_ms, BigInt(clock.ms));
    assert.deepEqual(routing.recipientKeys, workers.map((pair) => pair.hpkePublicKey));
    assert.equal(isE2eRequestBytes(new Uint8Array([1, 2, 3])), false);
    assert.equal(isE2eRequestBytes(Buffer.from(chatPayload())), false);
    assert.throws(() => readE2eRequestRouting(sealed.bytes.subarray(0, 40)), { code: 'CCN_ERR_E2E_REQUEST_INVALID' });
  });

  test('a model other than the worker\'s is refused, in the header or in the sealed JSON', async () => {
    const clock = new TestClock();
    const [worker] = await workerKeys(1);
    const sealer = new E2eRequestSealer({ now: clock.now });
    const opener = new E2eRequestOpener({ keys: () => [worker!], model: MODEL, now: clock.now });
    const header = { ...sealInput([verifiedKeyOf(worker!)]), model: 'other/model' };
    await assert.rejects(opener.open((await sealer.seal(header)).bytes), { code: 'CCN_ERR_E2E_REQUEST_INVALID', message: /model other\/model/ });
    const body = sealInput([verifiedKeyOf(worker!)], chatPayload('other/model'));
    await assert.rejects(opener.open((await sealer.seal(body)).bytes), { code: 'CCN_ERR_E2E_REQUEST_INVALID', message: /names model other\/model/ });
    const noModel = sealInput([verifiedKeyOf(worker!)], new TextEncoder().encode('{"messages":[]}'));
    await assert.rejects(opener.open((await sealer.seal(noModel)).bytes), { code: 'CCN_ERR_E2E_REQUEST_INVALID', message: /names no model/ });
  });

  test('sealing to nobody, to an expired key or to one key twice is refused', async () => {
    const clock = new TestClock();
    const [worker] = await workerKeys(1);
    const sealer = new E2eRequestSealer({ now: clock.now });
    await assert.rejects(sealer.seal(sealInput([])), { code: 'CCN_ERR_E2E_NO_RECIPIENT' });
    await assert.rejects(sealer.seal(sealInput([verifiedKeyOf(worker!), verifiedKeyOf(worker!)])), { code: 'CCN_ERR_INTERNAL' });
    clock.advance(3600_000);
    await assert.rejects(sealer.seal(sealInput([verifiedKeyOf(worker!)])), { code: 'CCN_ERR_E2E_EVIDENCE_INVALID', message: /expired/ });
  });
});

describe('e2e HPKE caches', () => {
  test('a second request to the same key performs no new HPKE setup, on either side', async () => {
    const clock = new TestClock();
    const [worker] = await workerKeys(1);
    const setup = countingSetup();
    const sealer = new E2eRequestSealer({ now: clock.now, hpke: new E2eHpkeSenderCache({ setup, now: clock.now }) });
    const opener = new E2eRequestOpener({ keys: () => [worker!], model: MODEL, now: clock.now, hpke: new E2eHpkeRecipientCache({ setup }) });
    const first = await sealer.seal(sealInput([verifiedKeyOf(worker!)]));
    const second = await sealer.seal(sealInput([verifiedKeyOf(worker!)]));
    await opener.open(first.bytes);
    await opener.open(second.bytes);
    assert.deepEqual([setup.senders, setup.recipients], [1, 1]);
    assert.deepEqual([sealer.hpke.setups, opener.hpke.setups], [1, 1]);
    assert.notDeepEqual(first.headerHash, second.headerHash);
    // Concurrent seals share the setup in flight.
    await Promise.all([1, 2, 3].map(() => sealer.seal(sealInput([verifiedKeyOf(worker!)]))));
    assert.equal(setup.senders, 1);
  });

  test('the sender context is re-created after 10 minutes and per key', async () => {
    const clock = new TestClock();
    const workers = await workerKeys(2);
    const setup = countingSetup();
    const sealer = new E2eRequestSealer({ now: clock.now, hpke: new E2eHpkeSenderCache({ setup, now: clock.now }) });
    const opener = new E2eRequestOpener({ keys: () => workers, model: MODEL, now: clock.now, hpke: new E2eHpkeRecipientCache({ setup }) });
    const early = await sealer.seal(sealInput([verifiedKeyOf(workers[0]!)]));
    clock.advance(10 * 60_000 - 1);
    await sealer.seal(sealInput([verifiedKeyOf(workers[0]!)]));
    assert.equal(setup.senders, 1);
    clock.advance(1);
    const late = await sealer.seal(sealInput([verifiedKeyOf(workers[0]!)]));
    assert.equal(setup.senders, 2);
    assert.notDeepEqual(readE2eRequestRouting(early.bytes).header.request_id, readE2eRequestRouting(late.bytes).header.request_id);
    await opener.open(late.bytes);
    await sealer.seal(sealInput([verifiedKeyOf(workers[1]!)]));
    assert.equal(setup.senders, 3);
    assert.equal(setup.recipients, 1);
  });

  test('both caches are bounded (least recently used goes first)', async () => {
    const workers = await workerKeys(3);
    const setup = countingSetup();
    const senders = new E2eHpkeSenderCache({ setup, maxEntries: 2 });
    for (const worker of workers) await senders.context(worker.hpkePublicKey);
    assert.equal(senders.size, 2);
    await senders.context(workers[2]!.hpkePublicKey);
    assert.equal(setup.senders, 3);
    await senders.context(workers[0]!.hpkePublicKey); // evicted: a new setup
    assert.equal(setup.senders, 4);

    const recipients = new E2eHpkeRecipientCache({ setup, maxEntries: 2 });
    const [worker] = workers;
    const encs = await Promise.all([0, 1, 2].map(async () => (await setup.sender(worker!.hpkePublicKey)).enc));
    for (const enc of encs) await recipients.secret(worker!.hpkePublicKey, worker!.hpkePrivateKey, enc);
    assert.equal(recipients.size, 2);
    const before = setup.recipients;
    await recipients.secret(worker!.hpkePublicKey, worker!.hpkePrivateKey, encs[2]!);
    assert.equal(setup.recipients, before);
    await recipients.secret(worker!.hpkePublicKey, worker!.hpkePrivateKey, encs[0]!);
    assert.equal(setup.recipients, before + 1);
    recipients.forgetKey(worker!.hpkePublicKey);
    assert.equal(recipients.size, 0);
  });

  test('a failed setup is not cached', async () => {
    let calls = 0;
    const failing = new E2eHpkeSenderCache({ setup: { sender: async () => { calls++; throw new Error('no'); }, recipient: async () => new Uint8Array(32) } });
    await assert.rejects(failing.context(new Uint8Array(32)));
    await assert.rejects(failing.context(new Uint8Array(32)));
    assert.equal(calls, 2);
    assert.equal(failing.size, 0);
  });
});
