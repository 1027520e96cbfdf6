/**
 * The key schedule and the signed store on a real LMDB environment and an injected clock: the first
 * key at start, none again within the hour, a new one after 3600 s, expiry after 86 400 s (memory
 * and store), keys surviving a restart, tampered or foreign-signed records refused and reported
 * while the others load, and the operator's generate/remove.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open } from 'lmdb';
import { keyPairFromSeed } from '@ton/crypto';
import { KeyRotation } from '../src/keys/key-rotation.ts';
import { SignedKeyStore, recordKeyOf, signRecord } from '../src/keys/signed-key-store.ts';
import { KEY_GENERATE_PERIOD_SECONDS, KEY_TTL_SECONDS, publicKeyOf } from '../src/keys/managed-key.ts';

const START = 1_800_000_000;
const machineKey = keyPairFromSeed(Buffer.alloc(32, 0x4d));

describe('key rotation and the signed key store', () => {
  let directory: string;
  let nowSeconds: number;
  let counter: number;
  const random = (bytes: number): Buffer => Buffer.alloc(bytes, ++counter);

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'cocoon-km-store-'));
    nowSeconds = START;
    counter = 0;
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  const rotationOn = (store: SignedKeyStore, minted: string[] = []) => new KeyRotation({
    store, now: () => nowSeconds * 1000, random, configVersion: () => 7, onMinted: (key) => minted.push(key.publicKey.toString('hex')),
  });

  test('mints at start, again only after an hour, and drops keys after 24 h', async () => {
    const store = await SignedKeyStore.open({ path: directory, machineKey });
    const minted: string[] = [];
    const rotation = rotationOn(store, minted);
    const first = await rotation.tick();
    assert.ok(first, 'no valid key: one is minted');
    assert.equal(first.validUntil, START + KEY_TTL_SECONDS);
    assert.equal(first.validSinceConfigVersion, 7);
    nowSeconds = START + KEY_GENERATE_PERIOD_SECONDS;
    assert.equal(await rotation.tick(), undefined, 'not older than an hour yet');
    nowSeconds += 1;
    const second = await rotation.tick();
    assert.ok(second);
    assert.deepEqual(rotation.validKeys().map((key) => key.publicKey), [second.publicKey, first.publicKey], 'newest first');
    nowSeconds = START + KEY_TTL_SECONDS - 1;
    assert.ok(rotation.validKeys().some((key) => key.publicKey.equals(first.publicKey)), 'valid until its last second');
    nowSeconds += 1;
    const third = await rotation.tick(); // the second is older than an hour by now
    assert.ok(third);
    assert.ok(!rotation.validKeys().some((key) => key.publicKey.equals(first.publicKey)), 'the first key expired');
    assert.equal(minted.length, 3);
    await store.close();
    const reopened = await SignedKeyStore.open({ path: directory, machineKey });
    assert.deepEqual(
      reopened.loaded.map((key) => key.publicKey.toString('hex')).sort(), [second.publicKey.toString('hex'), third.publicKey.toString('hex')].sort(),
      'the expired record was removed from disk',
    );
    await reopened.close();
  });

  test('keys survive a restart with every field', async () => {
    const store = await SignedKeyStore.open({ path: directory, machineKey });
    const key = await rotationOn(store).tick();
    await store.close();
    const reopened = await SignedKeyStore.open({ path: directory, machineKey });
    assert.equal(reopened.refused.length, 0);
    assert.deepEqual(reopened.loaded, [key]);
    const rotation = rotationOn(reopened);
    nowSeconds += 60;
    assert.equal(await rotation.tick(), undefined, 'the stored key is still fresh: nothing minted after the restart');
    await reopened.close();
  });

  test('a tampered record and a record signed by another machine key are refused and reported; the rest load', async () => {
    const store = await SignedKeyStore.open({ path: directory, machineKey });
    const rotation = rotationOn(store);
    const good = await rotation.tick();
    const victim = await rotation.generate();
    await store.close();
    const raw = open<Buffer, string>({ path: directory, encoding: 'binary', compression: false });
    const value = Buffer.from(raw.get(recordKeyOf(victim.publicKey))!);
    value.writeUInt8(value.readUInt8(12) ^ 0x01, 12); // inside the record body
    await raw.put(recordKeyOf(victim.publicKey), value);
    const foreignPrivate = Buffer.alloc(32, 0x77);
    const foreign = { privateKey: foreignPrivate, publicKey: publicKeyOf(foreignPrivate), keyType: 1, validSinceConfigVersion: 0, validSince: START, validUntil: START + 100 };
    await raw.put(recordKeyOf(foreign.publicKey), signRecord(foreign, keyPairFromSeed(Buffer.alloc(32, 0x99))));
    await raw.put('key_00', Buffer.alloc(80));
    await raw.close();

    const reopened = await SignedKeyStore.open({ path: directory, machineKey });
    assert.deepEqual(reopened.loaded.map((key) => key.publicKey.toString('hex')), [good!.publicKey.toString('hex')]);
    assert.equal(reopened.refused.length, 3);
    const reasons = new Map(reopened.refused.map((record) => [record.recordKey, record.reason]));
    assert.match(reasons.get(recordKeyOf(victim.publicKey))!, /signature does not verify/);
    assert.match(reasons.get(recordKeyOf(foreign.publicKey))!, /signature does not verify/);
    assert.match(reasons.get('key_00')!, /signature does not verify/);
    assert.ok(!rotationOn(reopened).validKeys().some((key) => key.publicKey.equals(victim.publicKey)), 'a refused key is never served');
    await reopened.close();
    const again = open<Buffer, string>({ path: directory, encoding: 'binary', compression: false });
    assert.ok(again.get(recordKeyOf(victim.publicKey)), 'the refused record stays on disk for the operator');
    await again.close();
  });

  test('a record whose private key does not match its name is refused', async () => {
    const raw = open<Buffer, string>({ path: directory, encoding: 'binary', compression: false });
    const privateKey = Buffer.alloc(32, 0x11);
    const key = { privateKey, publicKey: publicKeyOf(privateKey), keyType: 1, validSinceConfigVersion: 0, validSince: START, validUntil: START + 100 };
    await raw.put(recordKeyOf(Buffer.alloc(32, 0x22)), signRecord(key, machineKey));
    await raw.close();
    const store = await SignedKeyStore.open({ path: directory, machineKey });
    assert.equal(store.loaded.length, 0);
    assert.match(store.refused[0]!.reason, /does not belong to the public key/);
    await store.close();
  });

  test('generate and remove on operator request; a bad key type is refused', async () => {
    const store = await SignedKeyStore.open({ path: directory, machineKey });
    const rotation = rotationOn(store);
    const key = await rotation.generate(2);
    assert.equal(key.keyType, 2);
    await assert.rejects(rotation.generate(256), /key type must be an integer 0–255/);
    assert.equal(await rotation.remove(key.publicKey), true);
    assert.equal(await rotation.remove(key.publicKey), false);
    await store.close();
    const reopened = await SignedKeyStore.open({ path: directory, machineKey });
    assert.equal(reopened.loaded.length, 0, 'the removal is durable');
    await reopened.close();
  });
});
