// The JSON and form walkers of the proto-3 encryption: what is encrypted and what stays in clear,
// round trips in both directions, and every refusal (each with its CCN_ERR_ENCRYPTION_* code, never
// quoting a request value).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ENCRYPTED_PREFIX, ed25519PublicKeyOf, openFormFields, openJsonObject, parseEncryptionPublicKey, sealFormFields, sealJsonObject,
} from '@cocoon/protocol';
import type { JsonObject } from '@cocoon/protocol';
import { counterRandom, hex, loadEncryptionVectors } from './encryption-vectors.ts';

const { keys } = loadEncryptionVectors();
const appKey = hex(keys.client.ed25519_seed_hex);
const appPublic = hex(keys.client.ed25519_public_hex);
const networkKey = hex(keys.worker.ed25519_seed_hex);
const networkPublic = hex(keys.worker.ed25519_public_hex);
const otherKey = new Uint8Array(32).fill(7);

const seal = (object: JsonObject) => sealJsonObject(object, { senderPrivateKey: appKey, receiverPublicKey: networkPublic, direction: 'c', random: counterRandom() });
const open = (object: JsonObject, privateKey: Uint8Array | null = networkKey) => openJsonObject(object, { privateKey: privateKey ?? undefined, direction: 'c' });

/** Asserts `run` throws a CocoonError with `code` whose message matches `text`. */
function refuses(run: () => unknown, code: string, text: RegExp): void {
  assert.throws(run, (error: Error & { code?: string }) => {
    assert.equal(error.code, code, error.message);
    assert.match(error.message, text);
    return true;
  });
}

const request: JsonObject = {
  model: 'Qwen/Qwen3-32B',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'secret prompt' }] }, { role: 'assistant', content: null }],
  max_tokens: 64, temperature: 0.5, stream: true, stop: ['\n', 'END'],
  metadata_like: { model: 'nested-model-stays', timeout: 'nested-timeout-stays', debug: 'x', request_guid: 'g' },
  request_guid: 'guid-1', timeout: 30, max_coefficient: 1000, enable_debug: false, max_completion_tokens: 64,
};

describe('what is encrypted', () => {
  const sealed = seal(request);

  test('every string outside the clear fields is an ENC_ value; keys, numbers, booleans and nulls are clear', () => {
    const messages = sealed.messages as JsonObject[];
    const part = (messages[0]!.content as JsonObject[])[0]!;
    for (const value of [messages[0]!.role, part.type, part.text, messages[1]!.role, ...(sealed.stop as string[])]) {
      assert.ok(typeof value === 'string' && value.startsWith(ENCRYPTED_PREFIX), String(value));
    }
    assert.equal(messages[1]!.content, null);
    assert.equal(sealed.max_tokens, 64);
    assert.equal(sealed.temperature, 0.5);
    assert.equal(sealed.stream, true);
    assert.deepEqual(Object.keys(part).sort(), ['text', 'type']);
  });

  test('the clear fields stay clear at any depth, with everything below them', () => {
    assert.equal(sealed.model, 'Qwen/Qwen3-32B');
    assert.equal(sealed.request_guid, 'guid-1');
    assert.deepEqual(sealed.metadata_like, request.metadata_like);
  });

  test('the envelope names both keys (lower-case hex) and a base64 nonce of 32 bytes', () => {
    assert.equal(sealed.is_encrypted, 'v1');
    assert.equal(sealed.sender_public_key, Buffer.from(appPublic).toString('hex'));
    assert.equal(sealed.receiver_public_key, Buffer.from(networkPublic).toString('hex'));
    assert.equal(Buffer.from(sealed.encryption_nonce as string, 'base64').length, 32);
  });

  test('the input object is not changed, and the receiver gets the request back', () => {
    assert.equal(((request.messages as JsonObject[])[0]!.content as JsonObject[])[0]!.text, 'secret prompt');
    const opened = open(sealed);
    const { is_encrypted: _a, sender_public_key: _b, receiver_public_key: _c, encryption_nonce: _d, ...rest } = opened.object;
    assert.deepEqual(rest, request);
    assert.deepEqual(opened.senderPublicKey, appPublic);
  });

  test('each object gets a fresh nonce: the same request encrypts differently twice', () => {
    const random = counterRandom(9);
    const first = sealJsonObject(request, { senderPrivateKey: appKey, receiverPublicKey: networkPublic, direction: 'c', random });
    const second = sealJsonObject(request, { senderPrivateKey: appKey, receiverPublicKey: networkPublic, direction: 'c', random });
    assert.notEqual(first.encryption_nonce, second.encryption_nonce);
    assert.notEqual(first.stop, second.stop);
  });

  test('an answer sealed by the key holder in direction w opens with the app key', () => {
    const answer = sealJsonObject({ choices: [{ message: { content: 'bonjour' } }], usage: { total_tokens: 3 } }, {
      senderPrivateKey: networkKey, receiverPublicKey: appPublic, direction: 'w', random: counterRandom(3),
    });
    const opened = openJsonObject(answer, { privateKey: appKey, direction: 'w', expectedSenderPublicKey: networkPublic });
    assert.equal(((opened.object.choices as JsonObject[])[0]!.message as JsonObject).content, 'bonjour');
    assert.deepEqual(opened.object.usage, { total_tokens: 3 });
  });
});

describe('refusals', () => {
  const sealed = seal(request);

  test('a key with a clear request; no key with an encrypted one', () => {
    refuses(() => open({ model: 'm' }), 'CCN_ERR_ENCRYPTION_UNEXPECTED_KEY', /^encryption key is provided, but request is unencrypted/);
    refuses(() => open(sealed, null), 'CCN_ERR_ENCRYPTION_NO_KEY', /^cannot find private key for an encrypted request/);
    assert.equal(open({ model: 'm' }, null).encrypted, false);
  });

  test('a clear answer where an encrypted one is expected', () => {
    refuses(() => openJsonObject({ x: 1 }, { privateKey: undefined, direction: 'w', expectedSenderPublicKey: networkPublic }), 'CCN_ERR_ENCRYPTION_UNEXPECTED_KEY', /public key is provided/);
  });

  test('each missing or non-string envelope field, and an unknown scheme', () => {
    for (const field of ['is_encrypted', 'sender_public_key', 'receiver_public_key', 'encryption_nonce']) {
      const { [field]: _gone, ...without } = sealed;
      if (field !== 'is_encrypted') refuses(() => open(without), 'CCN_ERR_ENCRYPTION_ENVELOPE', /^not all encryption-related fields are present/);
      refuses(() => open({ ...sealed, [field]: 5 }), 'CCN_ERR_ENCRYPTION_ENVELOPE', /not all encryption-related fields/);
    }
    refuses(() => open({ ...sealed, is_encrypted: 'v2' }), 'CCN_ERR_ENCRYPTION_ENVELOPE', /is_encrypted must be 'v1'/);
  });

  test('envelope keys of a bad length or not on the curve', () => {
    refuses(() => open({ ...sealed, sender_public_key: 'abcd' }), 'CCN_ERR_ENCRYPTION_ENVELOPE', /^public_key bad length/);
    refuses(() => open({ ...sealed, sender_public_key: 'zz'.repeat(32) }), 'CCN_ERR_ENCRYPTION_ENVELOPE', /public_key bad length/);
    const notAPoint = Buffer.alloc(32, 0xff); notAPoint[31] = 0x7f; // y = p+... is not a valid encoding
    refuses(() => open({ ...sealed, sender_public_key: notAPoint.toString('hex') }), 'CCN_ERR_ENCRYPTION_BAD_PUBLIC_KEY', /^public key is not a usable Ed25519 key: (not a point of the curve|a low-order point)/);
    const lowOrder = Buffer.alloc(32); lowOrder[0] = 1; // the identity point (y = 1): u = (1+y)/(1−y) has no inverse
    refuses(() => open({ ...sealed, sender_public_key: lowOrder.toString('hex') }), 'CCN_ERR_ENCRYPTION_BAD_PUBLIC_KEY', /not a usable Ed25519 key/);
  });

  test('a private key that is not the receiver key the envelope names', () => {
    refuses(() => open(sealed, otherKey), 'CCN_ERR_ENCRYPTION_KEY_MISMATCH', /^public key mismatch/);
  });

  test('an answer from another sender than the key the request went to', () => {
    const answer = sealJsonObject({ a: 'b' }, { senderPrivateKey: otherKey, receiverPublicKey: appPublic, direction: 'w', random: counterRandom() });
    refuses(() => openJsonObject(answer, { privateKey: appKey, direction: 'w', expectedSenderPublicKey: networkPublic }), 'CCN_ERR_ENCRYPTION_SENDER_MISMATCH', /^sender public key mismatch/);
  });

  test('a clear string inside an encrypted object is refused without echoing it', () => {
    const messages = [{ role: 'user', content: 'my plaintext secret' }];
    assert.throws(() => open({ ...sealed, messages }), (error: Error & { code?: string; param?: string }) => {
      assert.equal(error.code, 'CCN_ERR_ENCRYPTION_BAD_VALUE');
      assert.match(error.message, /^bad encryption method: field 'messages\[0\]\.role'/);
      assert.doesNotMatch(error.message, /plaintext secret|user/);
      return true;
    });
  });

  test('tampered, truncated and malformed ciphertexts', () => {
    const stop = (sealed.stop as string[])[0]!;
    const flipped = stop.slice(0, 40) + (stop[40] === '0' ? '1' : '0') + stop.slice(41);
    refuses(() => open({ ...sealed, stop: [flipped, (sealed.stop as string[])[1]!] }), 'CCN_ERR_ENCRYPTION_BAD_VALUE', /^Failed to decrypt: field 'stop\[0\]': msg_id mismatch/);
    const lastBlockFlipped = stop.slice(0, -1) + (stop.endsWith('0') ? '1' : '0');
    refuses(() => open({ ...sealed, stop: [lastBlockFlipped] }), 'CCN_ERR_ENCRYPTION_BAD_VALUE', /msg_id mismatch/);
    refuses(() => open({ ...sealed, stop: [stop.slice(0, -32)] }), 'CCN_ERR_ENCRYPTION_BAD_VALUE', /msg_id mismatch|too short/);
    refuses(() => open({ ...sealed, stop: [stop.slice(0, 4 + 32)] }), 'CCN_ERR_ENCRYPTION_BAD_VALUE', /too short/);
    refuses(() => open({ ...sealed, stop: [stop.slice(0, -2)] }), 'CCN_ERR_ENCRYPTION_BAD_VALUE', /divisible by 16/);
    refuses(() => open({ ...sealed, stop: ['ENC_xyz'] }), 'CCN_ERR_ENCRYPTION_BAD_VALUE', /not hex/);
    refuses(() => open({ ...sealed, encryption_nonce: 'AAAA' + (sealed.encryption_nonce as string).slice(4) }), 'CCN_ERR_ENCRYPTION_BAD_VALUE', /msg_id mismatch/);
  });
});

describe('keys in the three forms of parse_bits256_from_json', () => {
  test('64 hex digits (either case), 44 base64 characters, 32 raw bytes; nothing else', () => {
    const key = Buffer.from(networkPublic);
    assert.deepEqual(parseEncryptionPublicKey(key.toString('hex').toUpperCase()), networkPublic);
    assert.deepEqual(parseEncryptionPublicKey(key.toString('base64')), networkPublic);
    assert.deepEqual(parseEncryptionPublicKey(networkPublic), networkPublic);
    assert.deepEqual(parseEncryptionPublicKey('a'.repeat(32)), new Uint8Array(32).fill(0x61));
    for (const bad of ['', 'ab', key.toString('hex').slice(2), `${key.toString('base64').slice(0, 42)}==`, 'g'.repeat(64), key.toString('base64url')]) {
      assert.equal(parseEncryptionPublicKey(bad), undefined, bad);
    }
    assert.deepEqual(ed25519PublicKeyOf(networkKey), networkPublic);
  });
});

describe('multipart forms (decrypt_form)', () => {
  const audio = Uint8Array.from([0, 1, 2, 255, 254, 0x0d, 0x0a]);
  const fields = [
    { name: 'model', value: Buffer.from('whisper') }, { name: 'file', value: audio }, { name: 'language', value: Buffer.from('fr') },
    { name: 'timestamp_granularities[]', value: Buffer.from('word') }, { name: 'timestamp_granularities[]', value: Buffer.from('segment') },
  ];
  const sealed = sealFormFields(fields, { senderPrivateKey: appKey, receiverPublicKey: networkPublic, direction: 'c', random: counterRandom() });

  test('every field but the clear ones is encrypted, the binary file included; the envelope fields are appended', () => {
    const text = (name: string) => Buffer.from(sealed.find((field) => field.name === name)!.value).toString();
    assert.equal(text('model'), 'whisper');
    assert.ok(text('file').startsWith('ENC_') && text('language').startsWith('ENC_'));
    assert.deepEqual(sealed.slice(-4).map((field) => field.name), ['is_encrypted', 'sender_public_key', 'receiver_public_key', 'encryption_nonce']);
  });

  test('the receiver gets every field back, in order, bytes exact', () => {
    const opened = openFormFields(sealed, { privateKey: networkKey, direction: 'c' });
    assert.equal(opened.encrypted, true);
    assert.deepEqual(opened.fields.slice(0, fields.length).map((field) => [field.name, Buffer.from(field.value).toString('hex')]),
      fields.map((field) => [field.name, Buffer.from(field.value).toString('hex')]));
    assert.deepEqual(opened.senderPublicKey, appPublic);
  });

  test('the same refusals as JSON', () => {
    refuses(() => openFormFields(fields, { privateKey: networkKey, direction: 'c' }), 'CCN_ERR_ENCRYPTION_UNEXPECTED_KEY', /request is unencrypted/);
    refuses(() => openFormFields(sealed, { privateKey: undefined, direction: 'c' }), 'CCN_ERR_ENCRYPTION_NO_KEY', /cannot find private key/);
    refuses(() => openFormFields(sealed.filter((field) => field.name !== 'encryption_nonce'), { privateKey: networkKey, direction: 'c' }), 'CCN_ERR_ENCRYPTION_ENVELOPE', /not all encryption-related/);
    refuses(() => openFormFields(sealed, { privateKey: otherKey, direction: 'c' }), 'CCN_ERR_ENCRYPTION_KEY_MISMATCH', /public key mismatch/);
    const clearFile = sealed.map((field) => (field.name === 'file' ? { name: 'file', value: audio } : field));
    refuses(() => openFormFields(clearFile, { privateKey: networkKey, direction: 'c' }), 'CCN_ERR_ENCRYPTION_BAD_VALUE', /bad encryption method: field 'file'/);
  });
});
