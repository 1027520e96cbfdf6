// The app-facing helpers: an encrypted request body, a non-streamed answer and a streamed one read
// chunk by chunk (split anywhere), with the refusals an app relies on (clear or foreign answers).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyAgreement, SseAnswerDecryptor, canonicalJson, decryptAnswer, encryptRequest, openJsonObject, sealJsonObject } from '@cocoon/protocol';
import type { JsonObject } from '@cocoon/protocol';
import { counterRandom, hex, loadEncryptionVectors } from './encryption-vectors.ts';

const { keys, chatRequest } = loadEncryptionVectors();
const app = { senderKey: hex(keys.client.ed25519_seed_hex), receiverPublicKey: keys.worker.ed25519_public_hex };
const networkKey = hex(keys.worker.ed25519_seed_hex);
const appPublic = hex(keys.client.ed25519_public_hex);

/** What a worker does to each answer object: encrypt it back to the app (direction w). */
const workerSeal = (object: JsonObject, random = counterRandom(5)) => sealJsonObject(object, { senderPrivateKey: networkKey, receiverPublicKey: appPublic, direction: 'w', random });

describe('encryptRequest', () => {
  test('is the reference encryption of the body (the vector, with its randomness)', async () => {
    const { replayRandom } = await import('./encryption-vectors.ts');
    const text = encryptRequest(chatRequest.input_dump, { ...app, receiverPublicKey: Buffer.from(hex(chatRequest.receiver_public_hex)).toString('base64'), random: replayRandom(chatRequest.rng_hex).random });
    assert.equal(text, chatRequest.output_dump);
  });

  test('refuses a body that is not a JSON object and a malformed receiver key', () => {
    assert.throws(() => encryptRequest('[1]', app), { code: 'CCN_ERR_HTTP_BAD_JSON' });
    assert.throws(() => encryptRequest('{', app), { code: 'CCN_ERR_HTTP_BAD_JSON' });
    assert.throws(() => encryptRequest({ model: 'm' }, { ...app, receiverPublicKey: 'abc' }), { code: 'CCN_ERR_ENCRYPTION_BAD_PUBLIC_KEY' });
  });

  test('the key holder reads it', () => {
    const opened = openJsonObject(JSON.parse(encryptRequest({ model: 'm', prompt: 'p' }, app)) as JsonObject, { privateKey: networkKey, direction: 'c' });
    assert.equal(opened.object.prompt, 'p');
  });
});

describe('decryptAnswer', () => {
  const answer = { id: 'chatcmpl-1', object: 'chat.completion', model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'bonjour' }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, total_cost: 120 } };

  test('returns the answer without the envelope fields', () => {
    assert.deepEqual(decryptAnswer(canonicalJson(workerSeal(answer)), app), answer);
  });

  test('refuses a clear answer, an answer from another key, and one encrypted to someone else', () => {
    assert.throws(() => decryptAnswer(answer, app), { code: 'CCN_ERR_ENCRYPTION_UNEXPECTED_KEY' });
    const foreign = sealJsonObject(answer, { senderPrivateKey: new Uint8Array(32).fill(3), receiverPublicKey: appPublic, direction: 'w', random: counterRandom() });
    assert.throws(() => decryptAnswer(foreign, app), { code: 'CCN_ERR_ENCRYPTION_SENDER_MISMATCH' });
    const elsewhere = sealJsonObject(answer, { senderPrivateKey: networkKey, receiverPublicKey: hex(keys.worker.ed25519_public_hex), direction: 'w', random: counterRandom() });
    assert.throws(() => decryptAnswer(elsewhere, app), { code: 'CCN_ERR_ENCRYPTION_KEY_MISMATCH' });
    const sealed = workerSeal(answer);
    const asRequest = sealJsonObject(answer, { senderPrivateKey: networkKey, receiverPublicKey: appPublic, direction: 'c', random: counterRandom() });
    assert.throws(() => decryptAnswer(asRequest, app), { code: 'CCN_ERR_ENCRYPTION_BAD_VALUE' }); // a request replayed as an answer
    // The reference scheme's known weakness (docs/protocol.md §20): no position binding, so a hop can
    // move encrypted values between fields of one object undetected.
    assert.equal(decryptAnswer({ ...sealed, id: sealed.object as string }, app).id, 'chat.completion');
  });
});

describe('SseAnswerDecryptor', () => {
  const chunks = Array.from({ length: 5 }, (_, index) => ({ choices: [{ index: 0, delta: { content: `piece ${index}` } }] }));
  const stream = `${chunks.map((chunk, index) => `data: ${canonicalJson(workerSeal(chunk, counterRandom(index + 10)))}\n\n`).join('')}data: [DONE]\n\n`;

  test('decrypts every data object however the text is split, then [DONE]', () => {
    for (const step of [1, 7, 100, stream.length]) {
      const decryptor = new SseAnswerDecryptor(app);
      const events = [];
      for (let at = 0; at < stream.length; at += step) events.push(...decryptor.push(stream.slice(at, at + step)));
      events.push(...decryptor.end());
      assert.deepEqual(events, [...chunks.map((data) => ({ type: 'data', data })), { type: 'done' }], `step ${step}`);
    }
  });

  test("a clear error event (the client runner's) is reported; a clear data chunk is refused", () => {
    const decryptor = new SseAnswerDecryptor(app);
    assert.deepEqual(decryptor.push('data: {"error":{"message":"boom","code":"CCN_ERR_TIMEOUT"}}\n\n'), [{ type: 'error', error: { message: 'boom', code: 'CCN_ERR_TIMEOUT' } }]);
    assert.throws(() => decryptor.push(`data: ${JSON.stringify(chunks[0])}\n`), { code: 'CCN_ERR_ENCRYPTION_UNEXPECTED_KEY' });
  });
});

describe('KeyAgreement reuse', () => {
  test('one agreement per app key serves its requests and answers; one for another key is not used', async () => {
    const { replayRandom } = await import('./encryption-vectors.ts');
    const agreement = new KeyAgreement(app.senderKey);
    const withAgreement = encryptRequest(chatRequest.input_dump, { ...app, receiverPublicKey: chatRequest.receiver_public_hex, agreement, random: replayRandom(chatRequest.rng_hex).random });
    assert.equal(withAgreement, chatRequest.output_dump, 'the same bytes as without it');
    const foreign = new KeyAgreement(new Uint8Array(32).fill(9));
    const withForeign = encryptRequest(chatRequest.input_dump, { ...app, receiverPublicKey: chatRequest.receiver_public_hex, agreement: foreign, random: replayRandom(chatRequest.rng_hex).random });
    assert.equal(withForeign, chatRequest.output_dump, 'an agreement for another key is ignored, not trusted');
    const answer = { choices: [{ message: { content: 'ok' } }] };
    assert.deepEqual(decryptAnswer(workerSeal(answer), { ...app, agreement }), answer);
  });
});
