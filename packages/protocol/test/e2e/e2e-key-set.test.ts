// The signed key set of a worker's e2e evidence (§22): what the certificate key signs, and that a
// signature verifies only for that key and that exact key set.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildE2eEvidence, e2ePrimitives, encodeBoxed, keySetSignedMessage, verifyKeySetSignature } from '../../src/index.ts';
import { MODEL, workerKeys } from './e2e-fixtures.ts';

const [pair, other] = await workerKeys(2);
const certificatePrivateKey = new Uint8Array(32).fill(0x42);
const certificatePublicKey = e2ePrimitives().ed25519GetPublicKey(certificatePrivateKey);
const evidence = buildE2eEvidence({
  certificate: new Uint8Array([0x30, 0x82, 0x01, 0x00]), certificatePrivateKey, issuedAt: 1_765_000_000,
  keys: [
    { keyPair: pair!, model: MODEL, validFrom: 1_765_000_000, validUntil: 1_765_003_600 },
    { keyPair: other!, model: MODEL, validFrom: 1_764_996_400, validUntil: 1_765_000_600 },
  ],
});

describe('e2e key set signature', () => {
  test('the signed message is the label and the bare key set (no constructor id)', () => {
    const message = keySetSignedMessage(evidence.key_set);
    const label = Buffer.from('cocoon-e2e-1 key set\0');
    assert.deepEqual(Buffer.from(message.subarray(0, label.length)), label);
    const boxed = encodeBoxed(evidence.key_set);
    assert.deepEqual(Buffer.from(message.subarray(label.length)), boxed.subarray(4));
    assert.deepEqual(Buffer.from(message.subarray(label.length, label.length + 32)), Buffer.from(certificatePublicKey));
  });

  test('the evidence verifies with its certificate key', () => {
    assert.deepEqual(new Uint8Array(evidence.key_set.certificate_public_key), certificatePublicKey);
    assert.equal(evidence.key_set.keys.length, 2);
    assert.equal(verifyKeySetSignature(evidence, certificatePublicKey), true);
  });

  test('another certificate key is refused, also when the key set names it', () => {
    const stranger = e2ePrimitives().ed25519GetPublicKey(new Uint8Array(32).fill(0x43));
    assert.equal(verifyKeySetSignature(evidence, stranger), false);
    const renamed = { ...evidence, key_set: { ...evidence.key_set, certificate_public_key: Buffer.from(stranger) } };
    assert.equal(verifyKeySetSignature(renamed, stranger), false);
  });

  test('an altered key set or signature is refused', () => {
    const keys = evidence.key_set.keys.map((key) => ({ ...key }));
    keys[0]!.valid_until += 1;
    assert.equal(verifyKeySetSignature({ ...evidence, key_set: { ...evidence.key_set, keys } }, certificatePublicKey), false);
    const swapped = evidence.key_set.keys.map((key) => ({ ...key, hpke_public_key: Buffer.from(other!.hpkePublicKey) }));
    assert.equal(verifyKeySetSignature({ ...evidence, key_set: { ...evidence.key_set, keys: swapped } }, certificatePublicKey), false);
    assert.equal(verifyKeySetSignature({ ...evidence, key_set: { ...evidence.key_set, keys: keys.slice(1) } }, certificatePublicKey), false);
    const signature = Buffer.from(evidence.signature);
    signature[10]! ^= 1;
    assert.equal(verifyKeySetSignature({ ...evidence, signature }, certificatePublicKey), false);
    assert.equal(verifyKeySetSignature({ ...evidence, signature: signature.subarray(0, 10) }, certificatePublicKey), false);
  });

  test('a key that ends before it starts is not signed', () => {
    assert.throws(() => buildE2eEvidence({ certificate: new Uint8Array(1), certificatePrivateKey, issuedAt: 1, keys: [{ keyPair: pair!, model: MODEL, validFrom: 10, validUntil: 9 }] }));
  });
});
