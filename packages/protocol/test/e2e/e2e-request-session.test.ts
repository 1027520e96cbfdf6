// The client's per-request e2e session (§22): verifying the proxy's worker list (once per evidence),
// picking recipients in the proxy's order within max_coefficient, and following one answer to its
// verified receipt, on success and on error.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CocoonError, E2eRequestOpener, E2eRequestSession, buildE2eEvidence, e2eEvidenceHash, e2eReceiptBodyFor, signReceipt } from '../../src/index.ts';
import type { E2eEvidenceVerifier, E2eKeyPair, ExtE2eWorker, VerifiedE2eKey } from '../../src/index.ts';
import { MODEL, MODEL_BASE, START_MS, TOKENS, TestClock, answerWith, responseHead, sealInput, verifiedKeyOf, workerKeys } from './e2e-fixtures.ts';

const pairs = await workerKeys(4);
const certificatePrivateKey = new Uint8Array(32).fill(0x42);

const workerEntry = (pair: E2eKeyPair, coefficient: number, certificate = [1]): ExtE2eWorker => ({
  _: 'ext.e2eWorker', coefficient, active_requests: 0, max_active_requests: 8,
  evidence: buildE2eEvidence({
    certificate: new Uint8Array(certificate), certificatePrivateKey, issuedAt: START_MS / 1000,
    keys: [{ keyPair: pair, model: MODEL, validFrom: START_MS / 1000 - 60, validUntil: START_MS / 1000 + 3600 }],
  }),
});

/**
 * A test double of the attestation verifier: it trusts every certificate except those starting with
 * 0xBA, and otherwise does what the real one does with the key set (signature, times, model).
 */
class TestEvidenceVerifier implements E2eEvidenceVerifier {
  calls = 0;
  async verify(worker: ExtE2eWorker, expected: { model: string; now: Date }): Promise<VerifiedE2eKey[]> {
    this.calls++;
    if (worker.evidence.certificate[0] === 0xba) throw new CocoonError('CCN_ERR_E2E_EVIDENCE_INVALID', 'quote rejected');
    const seconds = expected.now.getTime() / 1000;
    return worker.evidence.key_set.keys
      .filter((key) => key.valid_from <= seconds && seconds <= key.valid_until && key.model.startsWith(`${expected.model}@`))
      .map((key) => ({
        ...verifiedKeyOf({ hpkePublicKey: key.hpke_public_key, signingPublicKey: key.signing_public_key, hpkePrivateKey: new Uint8Array(), signingPrivateKey: new Uint8Array() }, key.model, worker.coefficient),
        validUntil: key.valid_until, evidenceHash: e2eEvidenceHash(worker.evidence),
      }));
  }
}

describe('e2e request session', () => {
  test('verifies each evidence once, skips bad workers, picks up to 3 within max_coefficient in order', async () => {
    const clock = new TestClock();
    const verifier = new TestEvidenceVerifier();
    const session = new E2eRequestSession({ verifier, now: clock.now });
    const workers = [workerEntry(pairs[0]!, 5000), workerEntry(pairs[1]!, 1000, [0xba]), workerEntry(pairs[1]!, 1000), workerEntry(pairs[2]!, 2000), workerEntry(pairs[3]!, 3000)];
    const { keys, refused } = await session.verifiedKeys(workers, MODEL_BASE);
    assert.equal(keys.length, 4);
    assert.deepEqual(refused.map((entry) => [entry.index, entry.error.code]), [[1, 'CCN_ERR_E2E_EVIDENCE_INVALID']]);
    const picked = session.pickRecipients(keys, 4000);
    assert.deepEqual(picked.map((key) => key.coefficient), [1000, 2000, 3000]);
    await session.verifiedKeys(workers, MODEL_BASE);
    assert.equal(verifier.calls, 5 + 1, 'only the refused one is verified again');
    clock.advance(5 * 60_000);
    await session.verifiedKeys(workers, MODEL_BASE);
    assert.equal(verifier.calls, 6 + 5);
  });

  test('keys past valid_until are dropped from the cache; the coefficient is the latest listed', async () => {
    const clock = new TestClock();
    const session = new E2eRequestSession({ verifier: new TestEvidenceVerifier(), now: clock.now, evidenceCacheMs: 24 * 3_600_000 });
    const entry = workerEntry(pairs[0]!, 1000);
    assert.equal((await session.verifiedKeys([entry], MODEL_BASE)).keys.length, 1);
    assert.equal((await session.verifiedKeys([{ ...entry, coefficient: 1500 }], MODEL_BASE)).keys[0]!.coefficient, 1500);
    clock.advance(3600_000);
    assert.equal((await session.verifiedKeys([entry], MODEL_BASE)).keys.length, 0);
  });

  test('no usable worker is CCN_ERR_E2E_NO_RECIPIENT', async () => {
    const session = new E2eRequestSession({ verifier: new TestEvidenceVerifier(), now: new TestClock().now });
    const input = { ...sealInput([]), workers: [workerEntry(pairs[0]!, 9000), workerEntry(pairs[1]!, 1000, [0xba])] };
    await assert.rejects(session.start(input), { code: 'CCN_ERR_E2E_NO_RECIPIENT', message: /1 worker\(s\) refused: quote rejected/ });
  });

  test('one exchange: chunks, receipt just before the end, verified receipt', async () => {
    const clock = new TestClock();
    const session = new E2eRequestSession({ verifier: new TestEvidenceVerifier(), now: clock.now });
    const exchange = await session.start({ ...sealInput([]), workers: [workerEntry(pairs[0]!, 1000), workerEntry(pairs[1]!, 1000)] });
    assert.equal(exchange.sealed.recipients.length, 2);
    const opened = await new E2eRequestOpener({ keys: () => [pairs[1]!], model: MODEL, now: clock.now }).open(exchange.sealed.bytes);
    const { chunks, receipt } = answerWith(opened, ['data: [DONE]\n\n']);
    const first = exchange.chunk(chunks[0]!);
    assert.equal(first.response?.status_code, 200);
    assert.equal(new TextDecoder().decode(first.body), 'data: {"a":0}\n\n');
    exchange.receipt(receipt);
    assert.throws(() => exchange.receipt(receipt), { code: 'CCN_ERR_E2E_RECEIPT_INVALID' });
    const last = exchange.chunk(chunks[1]!);
    assert.equal(last.final, true);
    assert.equal(new TextDecoder().decode(last.body), 'data: [DONE]\n\n');
    const verified = exchange.complete();
    assert.deepEqual(Buffer.from(verified.key.hpkePublicKey), Buffer.from(pairs[1]!.hpkePublicKey));
    assert.equal(verified.status, 0);
  });

  test('an answer that completes without a receipt, or fails with an ok receipt, is refused', async () => {
    const clock = new TestClock();
    const session = new E2eRequestSession({ verifier: new TestEvidenceVerifier(), now: clock.now });
    const opener = new E2eRequestOpener({ keys: () => [pairs[0]!], model: MODEL, now: clock.now });
    const exchange = await session.start({ ...sealInput([]), workers: [workerEntry(pairs[0]!, 1000)] });
    const { chunks } = answerWith(await opener.open(exchange.sealed.bytes), []);
    exchange.chunk(chunks[0]!);
    assert.throws(() => exchange.complete(), { code: 'CCN_ERR_E2E_RECEIPT_INVALID', message: /without a receipt/ });
    assert.equal(exchange.fail(), undefined);

    const failing = await session.start({ ...sealInput([]), workers: [workerEntry(pairs[0]!, 1000)] });
    const openedFailing = await opener.open(failing.sealed.bytes);
    const errorAnswer = answerWith(openedFailing, ['x'], 602);
    failing.chunk(errorAnswer.chunks[0]!);
    failing.receipt(errorAnswer.receipt);
    // The error receipt was signed after both chunks: after only one it does not match.
    assert.throws(() => failing.fail(), { code: 'CCN_ERR_E2E_RECEIPT_INVALID', message: /answer_hash/ });
  });

  test('an error receipt covering the chunks sent verifies on fail()', async () => {
    const clock = new TestClock();
    const session = new E2eRequestSession({ verifier: new TestEvidenceVerifier(), now: clock.now });
    const opener = new E2eRequestOpener({ keys: () => [pairs[0]!], model: MODEL, now: clock.now });
    const exchange = await session.start({ ...sealInput([]), workers: [workerEntry(pairs[0]!, 1000)] });
    const opened = await opener.open(exchange.sealed.bytes);
    const head = opened.answer.seal(responseHead('data: {"a":0}\n\n'), false);
    const receipt = signReceipt(e2eReceiptBodyFor(opened, {
      status: 652, model: MODEL, tokensUsed: TOKENS, coefficient: 1000, pricePerToken: 20n, costNanoton: 360n,
      workerStartMs: BigInt(START_MS), workerEndMs: BigInt(START_MS + 5), proxy: 'EQproxy',
    }), pairs[0]!.signingPrivateKey);
    exchange.chunk(head);
    exchange.receipt(receipt);
    assert.throws(() => exchange.complete(), { code: 'CCN_ERR_E2E_ANSWER_TRUNCATED' });
    assert.equal(exchange.fail()?.status, 652);
  });
});
