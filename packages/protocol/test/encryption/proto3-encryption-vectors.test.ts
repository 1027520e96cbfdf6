// The reference's proto-3 encryption vectors, both directions: we derive their keys and secrets,
// decrypt their values and their whole encrypted chat request, and with their fixed randomness our
// encryption produces their bytes exactly (every value, the nonce, and the full JSON text).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import {
  canonicalJson, decryptMessage, decryptTextValue, directionSecret, ed25519PublicKeyOf, encryptMessage, encryptValue, openJsonObject,
  paddingLength, sealJsonText, x25519SharedSecret,
} from '@cocoon/protocol';
import type { JsonObject } from '@cocoon/protocol';
import { hex, loadEncryptionVectors, replayRandom, toHexText } from './encryption-vectors.ts';

const vectors = loadEncryptionVectors();

describe('key conversion and shared secret (td::Ed25519::compute_shared_secret)', () => {
  test('each seed gives the recorded Ed25519 public key and X25519 key pair', () => {
    for (const pair of [vectors.keys.client, vectors.keys.worker]) {
      const seed = hex(pair.ed25519_seed_hex);
      assert.equal(toHexText(ed25519PublicKeyOf(seed)), pair.ed25519_public_hex);
      assert.equal(toHexText(ed25519.utils.toMontgomerySecret(seed)), pair.x25519_private_hex);
      assert.equal(toHexText(ed25519.utils.toMontgomery(hex(pair.ed25519_public_hex))), pair.x25519_public_hex);
      assert.equal(toHexText(x25519.getPublicKey(hex(pair.x25519_private_hex))), pair.x25519_public_hex);
    }
  });

  test('both sides agree on the raw secret and on the c and w secrets of the nonce text', () => {
    const v = vectors.sharedSecret;
    const fromClient = x25519SharedSecret(hex(v.client_seed_hex), hex(v.worker_public_hex));
    const fromWorker = x25519SharedSecret(hex(v.worker_seed_hex), hex(v.client_public_hex));
    assert.equal(toHexText(fromClient), v.raw_x25519_shared_hex);
    assert.deepEqual(fromWorker, fromClient);
    assert.equal(Buffer.from(hex(v.nonce_random_bytes_hex)).toString('base64'), v.encryption_nonce);
    assert.equal(toHexText(Buffer.concat([fromClient, Buffer.from(v.encryption_nonce), Buffer.from('c')])), v.sha256_input_c_hex);
    assert.equal(toHexText(directionSecret(fromClient, v.encryption_nonce, 'c')), v.secret_c_hex);
    assert.equal(toHexText(directionSecret(fromWorker, v.encryption_nonce, 'w')), v.secret_w_hex);
  });
});

describe('tde2e per-string encryption (MessageEncryption.cpp)', () => {
  for (const v of vectors.strings) {
    test(`${v.name}: our encryption with their randomness is their value; we decrypt their value`, () => {
      const secret = hex(v.secret_hex);
      const plain = hex(v.plaintext_hex);
      assert.equal(paddingLength(plain.length), v.padding_len);
      const replay = replayRandom(v.rng_hex);
      const encrypted = encryptMessage(plain, secret, replay.random);
      assert.deepEqual(replay.calls, v.rng_calls);
      assert.equal(toHexText(encrypted), v.msg_id_hex + v.ciphertext_hex);
      assert.equal(encryptValue(plain, secret, replayRandom(v.rng_hex).random), v.value);
      assert.deepEqual(decryptMessage(hex(v.msg_id_hex + v.ciphertext_hex), secret), plain);
      assert.equal(decryptTextValue(v.value, secret, 'field'), Buffer.from(plain).toString('utf8'));
    });
  }

  test('DEC_ values are read as clear text, as the reference accepts them', () => {
    assert.equal(decryptTextValue('DEC_plain text', hex(vectors.strings[0]!.secret_hex), 'field'), 'plain text');
  });
});

describe('a full encrypted chat request (encrypt_json, direction c)', () => {
  const v = vectors.chatRequest;

  test('the vector is self-consistent: its input dump is our canonical JSON of its input', () => {
    assert.equal(canonicalJson(v.input_json), v.input_dump);
  });

  test('our encryption with their randomness is their output, byte for byte', () => {
    const replay = replayRandom(v.rng_hex);
    const text = sealJsonText(JSON.parse(v.input_dump) as JsonObject, {
      senderPrivateKey: hex(v.sender_seed_hex), receiverPublicKey: hex(v.receiver_public_hex), direction: 'c', random: replay.random,
    });
    assert.equal(text, v.output_dump);
    assert.deepEqual(replay.calls, v.rng_calls);
    assert.equal(replay.remaining(), 0);
  });

  test('the worker side decrypts their output back to their decrypted dump and learns the sender', () => {
    const opened = openJsonObject(JSON.parse(v.output_dump) as JsonObject, { privateKey: hex(v.receiver_seed_hex), direction: 'c' });
    assert.equal(opened.encrypted, true);
    assert.equal(canonicalJson(opened.object), v.decrypted_dump);
    assert.equal(toHexText(opened.senderPublicKey!), v.sender_public_hex);
  });

  test('every encrypted field of the vector decrypts with the shared secret of its nonce', () => {
    const output = JSON.parse(v.output_dump) as JsonObject;
    const shared = x25519SharedSecret(hex(v.receiver_seed_hex), hex(v.sender_public_hex));
    const secret = directionSecret(shared, output.encryption_nonce as string, 'c');
    assert.equal(toHexText(secret), v.shared_secret_hex); // the vector's "shared secret" is the per-object one
    for (const field of v.encrypted_fields) assert.equal(decryptTextValue(field.value, secret, field.pointer), field.plaintext, field.pointer);
  });

  test('the same request decrypted in the w direction fails: the direction is bound into the secret', () => {
    assert.throws(
      () => openJsonObject(JSON.parse(v.output_dump) as JsonObject, { privateKey: hex(v.receiver_seed_hex), direction: 'w' }),
      (error: Error & { code?: string }) => error.code === 'CCN_ERR_ENCRYPTION_BAD_VALUE' && /msg_id mismatch/.test(error.message),
    );
  });
});
