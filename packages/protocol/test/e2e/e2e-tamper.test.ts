// Every way a proxy, relay or network attacker may alter an end-to-end request, answer or receipt
// (§22) is caught, each with its code: the worker refuses altered requests, the client refuses
// altered, reordered, dropped, replayed, swapped or truncated answers and receipts that do not match.
import { beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { E2eRequestOpener, E2eRequestSealer, decodeBoxed, encodeBoxed, signReceipt } from '../../src/index.ts';
import type { E2eKeyPair, ExtE2eAnswerChunk, ExtE2eRequest, ExtE2eSignedReceipt, SealedE2eRequest, OpenedE2eRequest } from '../../src/index.ts';
import { MODEL, TestClock, answerWith, sealInput, verifiedKeyOf, workerKeys } from './e2e-fixtures.ts';

const workers = await workerKeys(2);
const worker = workers[0]!;
const stranger = workers[1]!;

let clock: TestClock;
let opener: E2eRequestOpener;
let sealer: E2eRequestSealer;
beforeEach(() => {
  clock = new TestClock();
  opener = new E2eRequestOpener({ keys: () => [worker], model: MODEL, now: clock.now });
  sealer = new E2eRequestSealer({ now: clock.now });
});

const seal = (keys: readonly E2eKeyPair[] = [worker]) => sealer.seal(sealInput(keys.map((pair) => verifiedKeyOf(pair))));
/** Re-encodes the request after `change` edited its decoded form (what a proxy could do). */
const altered = (bytes: Uint8Array, change: (request: ExtE2eRequest) => void): Uint8Array => {
  const request = decodeBoxed(Buffer.from(bytes)) as ExtE2eRequest;
  change(request);
  return encodeBoxed(request);
};
const flip = (bytes: Buffer, index = 0): Buffer => {
  const copy = Buffer.from(bytes);
  copy[index]! ^= 0x01;
  return copy;
};
const INVALID = { code: 'CCN_ERR_E2E_REQUEST_INVALID' };

describe('e2e tampered requests', () => {
  test('a flipped byte in the header (max_tokens) is refused', async () => {
    const sealed = await seal();
    await assert.rejects(opener.open(altered(sealed.bytes, (request) => { request.header.max_tokens += 1; })), INVALID);
  });

  test('a flipped byte in the raw header bytes (created_at_ms) is refused', async () => {
    const sealed = await seal();
    // boxed id (4) + version (4) + request_id (32) + model as a TL string (1 length byte + text, padded to 4).
    const modelLength = Buffer.byteLength(sealInput([]).model);
    const createdAtOffset = 4 + 4 + 32 + Math.ceil((1 + modelLength) / 4) * 4;
    const raw = Buffer.from(sealed.bytes);
    assert.equal(raw.readBigInt64LE(createdAtOffset), BigInt(clock.ms));
    await assert.rejects(opener.open(flip(raw, createdAtOffset)), INVALID);
  });

  test('a flipped byte in the header (request_id) is refused', async () => {
    const sealed = await seal();
    await assert.rejects(opener.open(altered(sealed.bytes, (request) => { request.header.request_id = flip(request.header.request_id, 31); })), INVALID);
  });

  test('a changed coefficient cap or timeout in the header is refused', async () => {
    const sealed = await seal();
    await assert.rejects(opener.open(altered(sealed.bytes, (request) => { request.header.max_coefficient = 1; })), INVALID);
    await assert.rejects(opener.open(altered(sealed.bytes, (request) => { request.header.timeout_ms = 1; })), INVALID);
  });

  test('a flipped byte in a recipient\'s enc is refused', async () => {
    const sealed = await seal();
    await assert.rejects(opener.open(altered(sealed.bytes, (request) => { request.recipients[0]!.enc = flip(request.recipients[0]!.enc, 3); })), INVALID);
  });

  test('an all-zero (low-order) enc is refused, and the opener keeps working', async () => {
    const sealed = await seal();
    await assert.rejects(opener.open(altered(sealed.bytes, (request) => { request.recipients[0]!.enc = Buffer.alloc(32); })), { ...INVALID, message: /HPKE|wrapped key/ });
    await opener.open(sealed.bytes);
  });

  test('a flipped byte in a recipient\'s wrapped key is refused', async () => {
    const sealed = await seal();
    await assert.rejects(opener.open(altered(sealed.bytes, (request) => { request.recipients[0]!.wrapped_key = flip(request.recipients[0]!.wrapped_key, 40); })), INVALID);
  });

  test('recipients that no longer match the header are refused', async () => {
    const sealed = await seal([worker, stranger]);
    await assert.rejects(opener.open(altered(sealed.bytes, (request) => { request.recipients.reverse(); })), { ...INVALID, message: /do not match the header/ });
    await assert.rejects(opener.open(altered(sealed.bytes, (request) => { request.recipients.pop(); })), { ...INVALID, message: /do not match the header/ });
  });

  test('a recipient key swapped in both header and list is refused', async () => {
    const sealed = await seal([stranger]);
    const swapped = altered(sealed.bytes, (request) => {
      request.header.recipients = [Buffer.from(worker.hpkePublicKey)];
      request.recipients[0]!.hpke_public_key = Buffer.from(worker.hpkePublicKey);
    });
    await assert.rejects(opener.open(swapped), INVALID);
  });

  test('a flipped byte in the ciphertext is refused', async () => {
    const sealed = await seal();
    await assert.rejects(opener.open(altered(sealed.bytes, (request) => { request.ciphertext = flip(request.ciphertext, 17); })), { ...INVALID, message: /does not decrypt/ });
  });

  test('a ciphertext from another request is refused', async () => {
    const [first, second] = [await seal(), await seal()];
    const other = decodeBoxed(Buffer.from(second.bytes)) as ExtE2eRequest;
    await assert.rejects(opener.open(altered(first.bytes, (request) => { request.ciphertext = other.ciphertext; })), INVALID);
  });

  test('another version, truncated or foreign bytes are refused', async () => {
    const sealed = await seal();
    await assert.rejects(opener.open(altered(sealed.bytes, (request) => { request.header.version = 2; })), { ...INVALID, message: /version 2/ });
    await assert.rejects(opener.open(sealed.bytes.subarray(0, sealed.bytes.length - 8)), INVALID);
    await assert.rejects(opener.open(new Uint8Array([1, 2])), INVALID);
    await assert.rejects(opener.open(encodeBoxed<'tcp.ping'>({ _: 'tcp.ping', id: 1n })), INVALID);
  });
});

describe('e2e replay window', () => {
  test('a request older or newer than the window is refused; inside it, accepted', async () => {
    const sealed = await seal();
    clock.advance(300_001);
    await assert.rejects(opener.open(sealed.bytes), { code: 'CCN_ERR_E2E_REPLAYED', message: /window/ });
    clock.advance(-600_002);
    await assert.rejects(opener.open(sealed.bytes), { code: 'CCN_ERR_E2E_REPLAYED', message: /window/ });
    clock.advance(300_001 + 300_000);
    await opener.open(sealed.bytes);
  });

  test('the same request_id twice is refused, also when opened concurrently', async () => {
    const sealed = await seal();
    await opener.open(sealed.bytes);
    await assert.rejects(opener.open(sealed.bytes), { code: 'CCN_ERR_E2E_REPLAYED', message: /seen before/ });
    const next = await seal();
    const results = await Promise.allSettled([opener.open(next.bytes), opener.open(next.bytes)]);
    assert.deepEqual(results.map((result) => result.status).sort(), ['fulfilled', 'rejected']);
  });

  test('a forged copy does not burn the real request\'s id', async () => {
    const sealed = await seal();
    await assert.rejects(opener.open(altered(sealed.bytes, (request) => { request.ciphertext = flip(request.ciphertext, 1); })), INVALID);
    await opener.open(sealed.bytes);
  });
});

async function answered(): Promise<{ sealed: SealedE2eRequest; opened: OpenedE2eRequest; chunks: Uint8Array[]; receipt: ExtE2eSignedReceipt }> {
  const sealed = await seal();
  const opened = await opener.open(sealed.bytes);
  return { sealed, opened, ...answerWith(opened, ['data: {"a":1}\n\n', 'data: {"a":2}\n\n', 'data: [DONE]\n\n']) };
}
const TAMPERED = { code: 'CCN_ERR_E2E_ANSWER_TAMPERED' };
const chunkWith = (bytes: Uint8Array, change: (chunk: ExtE2eAnswerChunk) => void): Uint8Array => {
  const chunk = decodeBoxed(Buffer.from(bytes)) as ExtE2eAnswerChunk;
  change(chunk);
  return encodeBoxed(chunk);
};

describe('e2e tampered answers', () => {
  test('a flipped byte in a chunk is refused, and the answer stays refused', async () => {
    const { sealed, chunks } = await answered();
    sealed.answer.open(chunks[0]!);
    assert.throws(() => sealed.answer.open(chunkWith(chunks[1]!, (chunk) => { chunk.ciphertext = flip(chunk.ciphertext, 2); })), TAMPERED);
    assert.throws(() => sealed.answer.open(chunks[1]!), TAMPERED);
    assert.throws(() => sealed.answer.finish(), TAMPERED);
  });

  test('reordered chunks are refused', async () => {
    const { sealed, chunks } = await answered();
    sealed.answer.open(chunks[0]!);
    assert.throws(() => sealed.answer.open(chunks[2]!), { ...TAMPERED, message: /chunk 2 where chunk 1/ });
  });

  test('a renumbered chunk (seq edited to fit) is refused', async () => {
    const { sealed, chunks } = await answered();
    sealed.answer.open(chunks[0]!);
    assert.throws(() => sealed.answer.open(chunkWith(chunks[2]!, (chunk) => { chunk.seq = 1; })), { ...TAMPERED, message: /authentication/ });
  });

  test('a dropped chunk is refused', async () => {
    const { sealed, chunks } = await answered();
    assert.throws(() => sealed.answer.open(chunks[1]!), TAMPERED);
  });

  test('a replayed chunk is refused', async () => {
    const { sealed, chunks } = await answered();
    sealed.answer.open(chunks[0]!);
    assert.throws(() => sealed.answer.open(chunks[0]!), TAMPERED);
  });

  test('a chunk of another request (swap) is refused', async () => {
    const first = await answered();
    const second = await answered();
    assert.throws(() => first.sealed.answer.open(second.chunks[0]!), { ...TAMPERED, message: /authentication/ });
  });

  test('a chunk marked final early, or a final mark removed, is refused', async () => {
    const { sealed, chunks } = await answered();
    sealed.answer.open(chunks[0]!);
    assert.throws(() => sealed.answer.open(chunkWith(chunks[1]!, (chunk) => { chunk.flags = 1; })), TAMPERED);
    const other = await answered();
    for (const chunk of other.chunks.slice(0, 3)) other.sealed.answer.open(chunk);
    assert.throws(() => other.sealed.answer.open(chunkWith(other.chunks[3]!, (chunk) => { chunk.flags = 0; })), TAMPERED);
  });

  test('a chunk after the final chunk is refused', async () => {
    const { sealed, chunks } = await answered();
    for (const chunk of chunks) sealed.answer.open(chunk);
    assert.throws(() => sealed.answer.open(chunks[3]!), TAMPERED);
  });

  test('an answer that ends without its final chunk is truncated', async () => {
    const { sealed, chunks } = await answered();
    for (const chunk of chunks.slice(0, 3)) sealed.answer.open(chunk);
    assert.throws(() => sealed.answer.finish(), { code: 'CCN_ERR_E2E_ANSWER_TRUNCATED' });
  });

  test('garbage instead of a chunk is refused', async () => {
    const { sealed } = await answered();
    assert.throws(() => sealed.answer.open(new Uint8Array([9, 9, 9, 9, 9])), TAMPERED);
  });
});

const RECEIPT_INVALID = { code: 'CCN_ERR_E2E_RECEIPT_INVALID' };
async function completed() {
  const result = await answered();
  for (const chunk of result.chunks) result.sealed.answer.open(chunk);
  result.sealed.answer.finish();
  return result;
}
const resigned = (receipt: ExtE2eSignedReceipt, change: (body: ExtE2eSignedReceipt['body']) => void, key: Uint8Array = worker.signingPrivateKey) => {
  const body = { ...receipt.body };
  change(body);
  return signReceipt(body, key);
};

describe('e2e receipts', () => {
  test('a wrong signature is refused', async () => {
    const { sealed, receipt } = await completed();
    assert.throws(() => sealed.answer.verifyReceipt({ ...receipt, signature: flip(receipt.signature, 5) }), { ...RECEIPT_INVALID, message: /signature/ });
  });

  test('a body changed after signing (tokens, cost) is refused', async () => {
    const { sealed, receipt } = await completed();
    assert.throws(() => sealed.answer.verifyReceipt({ ...receipt, body: { ...receipt.body, cost_nanoton: 1n } }), { ...RECEIPT_INVALID, message: /signature/ });
  });

  test('a signed receipt with a wrong answer hash or chunk count is refused', async () => {
    const { sealed, receipt } = await completed();
    assert.throws(() => sealed.answer.verifyReceipt(resigned(receipt, (body) => { body.answer_hash = flip(body.answer_hash); })), { ...RECEIPT_INVALID, message: /answer_hash/ });
    assert.throws(() => sealed.answer.verifyReceipt(resigned(receipt, (body) => { body.answer_chunks = 3; })), { ...RECEIPT_INVALID, message: /answer_chunks/ });
  });

  test('a signed receipt of another request id or request hash is refused', async () => {
    const { sealed, receipt } = await completed();
    assert.throws(() => sealed.answer.verifyReceipt(resigned(receipt, (body) => { body.request_id = flip(body.request_id); })), { ...RECEIPT_INVALID, message: /request_id/ });
    assert.throws(() => sealed.answer.verifyReceipt(resigned(receipt, (body) => { body.request_hash = flip(body.request_hash); })), { ...RECEIPT_INVALID, message: /request_hash/ });
    const other = await completed();
    assert.throws(() => sealed.answer.verifyReceipt(other.receipt), RECEIPT_INVALID);
  });

  test('a receipt signed by another key, or naming a key that was no recipient, is refused', async () => {
    const { sealed, receipt } = await completed();
    assert.throws(() => sealed.answer.verifyReceipt(resigned(receipt, () => undefined, stranger.signingPrivateKey)), { ...RECEIPT_INVALID, message: /signature/ });
    const strangerKeys = resigned(receipt, (body) => {
      body.hpke_public_key = Buffer.from(stranger.hpkePublicKey);
      body.signing_public_key = Buffer.from(stranger.signingPublicKey);
    }, stranger.signingPrivateKey);
    assert.throws(() => sealed.answer.verifyReceipt(strangerKeys), { ...RECEIPT_INVALID, message: /recipients/ });
    const wrongSigner = resigned(receipt, (body) => { body.signing_public_key = Buffer.from(stranger.signingPublicKey); }, stranger.signingPrivateKey);
    assert.throws(() => sealed.answer.verifyReceipt(wrongSigner), { ...RECEIPT_INVALID, message: /signing_public_key/ });
  });

  test('a receipt naming another model is refused', async () => {
    const { sealed, receipt } = await completed();
    assert.throws(() => sealed.answer.verifyReceipt(resigned(receipt, (body) => { body.model = 'Qwen/Qwen3-0.6B@main:ffff'; })), { ...RECEIPT_INVALID, message: /model/ });
  });

  test('an ok receipt before the final chunk, malformed bytes, or after tampering is refused', async () => {
    const { sealed, chunks, receipt } = await answered();
    sealed.answer.open(chunks[0]!);
    assert.throws(() => sealed.answer.verifyReceipt(receipt), RECEIPT_INVALID);
    assert.throws(() => sealed.answer.verifyReceipt(new Uint8Array([1, 2, 3, 4, 5])), RECEIPT_INVALID);
    assert.throws(() => sealed.answer.open(chunks[0]!), TAMPERED);
    assert.throws(() => sealed.answer.verifyReceipt(receipt), { ...RECEIPT_INVALID, message: /tampered/ });
  });
});
