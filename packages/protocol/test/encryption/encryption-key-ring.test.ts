// The key ring proxies and workers hold: found by the public key of each private seed, replaced as a
// whole, expired keys never returned, malformed entries skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EncryptionKeyRing, ed25519PublicKeyOf } from '@cocoon/protocol';

const seed = (byte: number) => new Uint8Array(32).fill(byte);

test('finds a private key by its public key until it expires', () => {
  const ring = new EncryptionKeyRing();
  assert.equal(ring.size, 0);
  ring.replace([{ privateKey: seed(1), validUntilUtime: 1000 }, { privateKey: seed(2), validUntilUtime: 2000 }]);
  assert.equal(ring.size, 2);
  assert.deepEqual(ring.privateKeyFor(ed25519PublicKeyOf(seed(1)), 999), seed(1));
  assert.equal(ring.privateKeyFor(ed25519PublicKeyOf(seed(1)), 1000), undefined);
  assert.deepEqual(ring.privateKeyFor(ed25519PublicKeyOf(seed(2)), 1500), seed(2));
  assert.equal(ring.privateKeyFor(ed25519PublicKeyOf(seed(3)), 0), undefined);
  assert.equal(ring.privateKeyFor(new Uint8Array(5), 0), undefined);
  assert.deepEqual(ring.publicKeys().map((key) => key.validUntilUtime), [1000, 2000]);
});

test('replace drops keys no longer listed; bad entries are skipped; callers cannot change held keys', () => {
  const ring = new EncryptionKeyRing();
  const given = seed(4);
  ring.replace([{ privateKey: given, validUntilUtime: 10 }, { privateKey: new Uint8Array(31), validUntilUtime: 10 }, { privateKey: seed(5), validUntilUtime: Number.NaN }]);
  assert.equal(ring.size, 1);
  given.fill(0);
  const found = ring.privateKeyFor(ed25519PublicKeyOf(seed(4)), 0)!;
  assert.deepEqual(found, seed(4));
  found.fill(9);
  assert.deepEqual(ring.privateKeyFor(ed25519PublicKeyOf(seed(4)), 0), seed(4));
  ring.replace([{ privateKey: seed(6), validUntilUtime: 10 }]);
  assert.equal(ring.privateKeyFor(ed25519PublicKeyOf(seed(4)), 0), undefined);
  assert.equal(ring.size, 1);
});
