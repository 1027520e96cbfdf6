// The node:crypto e2e primitives are byte-identical to the @noble default (§22): each primitive on
// random inputs, and a whole sealed request, answer and receipt with fixed randomness, built under one
// set and opened under the other.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hkdfSync, randomBytes } from 'node:crypto';
import {
  E2eHpkeRecipientCache, E2eHpkeSenderCache, E2eRequestOpener, E2eRequestSealer, nobleE2ePrimitives, nodeE2ePrimitives, setE2ePrimitives,
} from '../../src/index.ts';
import type { E2eHpkeSetup, E2ePrimitives } from '../../src/index.ts';
import { MODEL, TestClock, answerWith, sealInput, verifiedKeyOf, workerKeys } from './e2e-fixtures.ts';

afterEach(() => setE2ePrimitives(nobleE2ePrimitives));

const sets: readonly E2ePrimitives[] = [nobleE2ePrimitives, nodeE2ePrimitives];

describe('node:crypto e2e primitives', () => {
  test('each primitive equals the @noble one', () => {
    for (let round = 0; round < 40; round++) {
      const key = randomBytes(32);
      const nonce = randomBytes(12);
      const aad = randomBytes(round % 50);
      const data = randomBytes(round * 37);
      assert.deepEqual(nodeE2ePrimitives.sha256(data), nobleE2ePrimitives.sha256(data));
      const hashers = sets.map((set) => set.createSha256().update(data.subarray(0, 5)));
      assert.deepEqual(hashers[0]!.peek(), hashers[1]!.peek());
      assert.deepEqual(hashers[0]!.update(data.subarray(5)).peek(), nobleE2ePrimitives.sha256(data));
      assert.deepEqual(hashers[1]!.update(data.subarray(5)).peek(), nobleE2ePrimitives.sha256(data));
      assert.deepEqual(nodeE2ePrimitives.hkdfSha256(key, aad, data.subarray(0, 20), 32), nobleE2ePrimitives.hkdfSha256(key, aad, data.subarray(0, 20), 32));
      const sealed = nodeE2ePrimitives.aes256GcmSeal(key, nonce, aad, data);
      assert.deepEqual(sealed, nobleE2ePrimitives.aes256GcmSeal(key, nonce, aad, data));
      for (const set of sets) {
        assert.deepEqual(set.aes256GcmOpen(key, nonce, aad, sealed), new Uint8Array(data), set.name);
        const bad = Uint8Array.from(sealed);
        bad[bad.length - 1]! ^= 1;
        assert.equal(set.aes256GcmOpen(key, nonce, aad, bad), undefined, set.name);
        assert.equal(set.aes256GcmOpen(key, nonce, aad, sealed.subarray(0, 15)), undefined, set.name);
      }
      const seed = randomBytes(32);
      const publicKey = nodeE2ePrimitives.ed25519GetPublicKey(seed);
      assert.deepEqual(publicKey, nobleE2ePrimitives.ed25519GetPublicKey(seed));
      const signature = nodeE2ePrimitives.ed25519Sign(seed, data);
      assert.deepEqual(signature, nobleE2ePrimitives.ed25519Sign(seed, data));
      for (const set of sets) {
        assert.equal(set.ed25519Verify(signature, data, publicKey), true, set.name);
        const bad = Uint8Array.from(signature);
        bad[3]! ^= 1;
        assert.equal(set.ed25519Verify(bad, data, publicKey), false, set.name);
        assert.equal(set.ed25519Verify(signature.subarray(1), data, publicKey), false, set.name);
        assert.equal(set.ed25519Verify(signature, data, publicKey.subarray(1)), false, set.name);
      }
      for (const set of sets) assert.equal(set.randomBytes(round).length, round);
    }
  });

  test('HKDF equals node\'s hkdfSync and @noble for every length and an empty salt', () => {
    for (const length of [0, 1, 31, 32, 33, 64, 100, 255 * 32]) {
      const [ikm, salt, info] = [randomBytes(32), length % 2 === 0 ? randomBytes(0) : randomBytes(45), randomBytes(length % 17)];
      const expected = new Uint8Array(hkdfSync('sha256', ikm, salt, info, length));
      assert.deepEqual(nodeE2ePrimitives.hkdfSha256(ikm, salt, info, length), expected, `length ${length}`);
      assert.deepEqual(nobleE2ePrimitives.hkdfSha256(ikm, salt, info, length), expected, `length ${length}`);
    }
    assert.throws(() => nodeE2ePrimitives.hkdfSha256(randomBytes(32), randomBytes(32), randomBytes(1), 255 * 32 + 1), RangeError);
  });

  test('a request, its answer and receipt are byte-identical under both sets and open under either', async () => {
    const [worker] = await workerKeys(1);
    // A test double of the HPKE setups with a fixed enc and secret, so that the sealed bytes are comparable.
    const fixed: E2eHpkeSetup = { sender: async () => ({ enc: new Uint8Array(32).fill(5), secret: new Uint8Array(32).fill(6) }), recipient: async () => new Uint8Array(32).fill(6) };
    const results = [];
    for (const [index, set] of sets.entries()) {
      setE2ePrimitives(set);
      const clock = new TestClock();
      let counter = 0;
      const random = (length: number) => Uint8Array.from({ length }, () => (counter = (counter * 31 + 7) & 0xff));
      const sealed = await new E2eRequestSealer({ now: clock.now, random, hpke: new E2eHpkeSenderCache({ setup: fixed, now: clock.now }) }).seal(sealInput([verifiedKeyOf(worker!)]));
      setE2ePrimitives(sets[1 - index]!);
      const opened = await new E2eRequestOpener({ keys: () => [worker!], model: MODEL, now: clock.now, hpke: new E2eHpkeRecipientCache({ setup: fixed }) }).open(sealed.bytes);
      const { chunks, receipt } = answerWith(opened, ['data: x\n\n', 'data: [DONE]\n\n']);
      setE2ePrimitives(set);
      for (const chunk of chunks) sealed.answer.open(chunk);
      sealed.answer.finish();
      assert.equal(sealed.answer.verifyReceipt(receipt).status, 0);
      results.push({ request: Buffer.from(sealed.bytes), chunks: chunks.map((chunk) => Buffer.from(chunk)), signature: Buffer.from(receipt.signature) });
    }
    assert.deepEqual(results[0], results[1]);
  });
});
