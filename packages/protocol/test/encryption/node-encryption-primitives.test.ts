// The node:crypto primitives of the proto-3 encryption are byte-identical to the @noble default: each
// primitive on random inputs, and a whole encrypted request and answer with fixed randomness, sealed
// under one set and opened under the other.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  decryptAnswer, ed25519PublicKeyOf, encryptRequest, encryptionPrimitives, nobleEncryptionPrimitives, nodeEncryptionPrimitives, openJsonObject,
  sealJsonText, setEncryptionPrimitives,
} from '../../src/index.ts';
import type { JsonObject } from '../../src/index.ts';

const fixedRandom = (seed: number) => {
  let state = seed;
  return (length: number) => Uint8Array.from({ length }, () => (state = (state * 1103515245 + 12345) & 0xff));
};
const appKey = new Uint8Array(32).fill(0x11);
const networkKey = new Uint8Array(32).fill(0x22);

afterEach(() => setEncryptionPrimitives(nobleEncryptionPrimitives));

describe('node:crypto encryption primitives', () => {
  test('each primitive equals the @noble one', () => {
    for (let round = 0; round < 50; round++) {
      const key = randomBytes(32);
      const data = randomBytes(16 * (1 + (round % 7)));
      const iv = randomBytes(16);
      for (const name of ['sha256'] as const) assert.deepEqual(nodeEncryptionPrimitives[name](data), nobleEncryptionPrimitives[name](data));
      for (const name of ['hmacSha256', 'hmacSha512'] as const) {
        assert.deepEqual(nodeEncryptionPrimitives[name](key, data), nobleEncryptionPrimitives[name](key, data), name);
      }
      const sealed = nodeEncryptionPrimitives.aes256CbcEncrypt(key, iv, data);
      assert.deepEqual(sealed, nobleEncryptionPrimitives.aes256CbcEncrypt(key, iv, data));
      assert.deepEqual(nobleEncryptionPrimitives.aes256CbcDecrypt(key, iv, sealed), new Uint8Array(data));
      assert.deepEqual(nodeEncryptionPrimitives.aes256CbcDecrypt(key, iv, sealed), new Uint8Array(data));
    }
  });

  test('a request sealed under one set is byte-identical and opens under the other', () => {
    const request: JsonObject = { model: 'm', messages: [{ role: 'user', content: 'a secret prompt ünïcödé' }], max_tokens: 9 };
    const keys = { senderKey: appKey, receiverPublicKey: ed25519PublicKeyOf(networkKey) };
    const byNoble = encryptRequest(request, { ...keys, random: fixedRandom(7) });
    setEncryptionPrimitives(nodeEncryptionPrimitives);
    assert.equal(encryptionPrimitives().name, 'node:crypto');
    assert.equal(encryptRequest(request, { ...keys, random: fixedRandom(7) }), byNoble);
    const opened = openJsonObject(JSON.parse(byNoble) as JsonObject, { privateKey: networkKey, direction: 'c' });
    assert.equal((opened.object.messages as JsonObject[])[0]!.content, 'a secret prompt ünïcödé');
    const answer = sealJsonText({ choices: [{ message: { content: 'the answer' } }] }, {
      senderPrivateKey: networkKey, receiverPublicKey: ed25519PublicKeyOf(appKey), direction: 'w', random: fixedRandom(9),
    });
    setEncryptionPrimitives(nobleEncryptionPrimitives);
    assert.deepEqual(decryptAnswer(answer, keys).choices, [{ message: { content: 'the answer' } }]);
  });

  test('a tampered value is refused under the native primitives too', () => {
    setEncryptionPrimitives(nodeEncryptionPrimitives);
    const keys = { senderKey: appKey, receiverPublicKey: ed25519PublicKeyOf(networkKey) };
    const sealed = JSON.parse(encryptRequest({ model: 'm', prompt: 'hello there' }, keys)) as JsonObject;
    const value = sealed.prompt as string;
    sealed.prompt = `${value.slice(0, -1)}${value.endsWith('0') ? '1' : '0'}`;
    assert.throws(() => openJsonObject(sealed, { privateKey: networkKey, direction: 'c' }), (error: unknown) => /CCN_ERR_ENCRYPTION/.test(String((error as { code?: string }).code)));
  });
});
