/**
 * `GET /v1/encryption/keys` (§20): on chain the injected root's registered, unexpired keys, off chain
 * the configured ones; the reference's public test key only on an is_test network; newest expiry first;
 * every key listed is one the client's ReceiverKeyPolicy accepts; guarded like /v1/models.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { REFERENCE_DEBUG_PUBLIC_KEY_HEX } from '@cocoon/protocol';
import { isRegisteredPublicKey, type RegisteredPublicKey } from '@cocoon/ton';
import {
  CONFIGURED_KEY_EXPIRE_AT, ReceiverKeyPolicy, configuredEncryptionKeys, encryptionKeysBody, rootEncryptionKeys,
} from '../../src/http/index.ts';
import { send } from './http-test-client.ts';
import { FIXED_NOW_MS, startTestServer } from './test-server.ts';
import type { TestServer } from './test-server.ts';

const NOW_S = Math.floor(FIXED_NOW_MS / 1000);
const OLD = 'aa'.repeat(32);
const NEW = 'bb'.repeat(32);
const EXPIRED = 'cc'.repeat(32);
const LAST_SECOND = 'dd'.repeat(32);

function rootWith(isTest: boolean, keys: RegisteredPublicKey[]) {
  return { params: { isTest }, registeredPublicKeys: keys };
}

const ROOT_KEYS: RegisteredPublicKey[] = [
  { publicKey: OLD, keyType: 1, expireAt: NOW_S + 3_600 },
  { publicKey: EXPIRED, keyType: 1, expireAt: NOW_S - 1 },
  { publicKey: NEW, keyType: 1, expireAt: NOW_S + 86_400 },
  { publicKey: LAST_SECOND, keyType: 1, expireAt: NOW_S },
  { publicKey: REFERENCE_DEBUG_PUBLIC_KEY_HEX, keyType: 1, expireAt: NOW_S + 90_000 },
];

describe('encryption keys list', () => {
  test('on chain: the registered, unexpired keys, newest expiry first, the debug key dropped off is_test', () => {
    const root = rootWith(false, ROOT_KEYS);
    const body = encryptionKeysBody(rootEncryptionKeys(() => root), NOW_S);
    assert.deepEqual(body, {
      object: 'list',
      data: [
        { public_key: NEW, key_type: 1, expire_at: NOW_S + 86_400 },
        { public_key: OLD, key_type: 1, expire_at: NOW_S + 3_600 },
        { public_key: LAST_SECOND, key_type: 1, expire_at: NOW_S },
      ],
    });
    // exactly the keys the client accepts (the root's own rule)
    for (const key of ROOT_KEYS) {
      assert.equal(body.data.some((entry) => entry.public_key === key.publicKey), isRegisteredPublicKey(root, key.publicKey, NOW_S), key.publicKey);
    }
    // one second later the last-second key is gone
    assert.deepEqual(encryptionKeysBody(rootEncryptionKeys(() => root), NOW_S + 1).data.map((entry) => entry.public_key), [NEW, OLD]);
  });

  test('on chain, is_test: the debug key is listed (it is accepted there)', () => {
    const root = rootWith(true, ROOT_KEYS);
    const listed = encryptionKeysBody(rootEncryptionKeys(() => root), NOW_S).data.map((entry) => entry.public_key);
    assert.deepEqual(listed, [REFERENCE_DEBUG_PUBLIC_KEY_HEX, NEW, OLD, LAST_SECOND]);
  });

  test('the root is read on every call: a newly registered key shows at once', () => {
    let root = rootWith(false, []);
    const source = rootEncryptionKeys(() => root);
    assert.deepEqual(encryptionKeysBody(source, NOW_S).data, []);
    root = rootWith(false, [{ publicKey: NEW, keyType: 1, expireAt: NOW_S + 10 }]);
    assert.deepEqual(encryptionKeysBody(source, NOW_S).data, [{ public_key: NEW, key_type: 1, expire_at: NOW_S + 10 }]);
  });

  test('off chain: the configured keys (lower-cased, deduplicated), never expiring; the debug key only with is_test', () => {
    const keys = [NEW.toUpperCase(), OLD, NEW, REFERENCE_DEBUG_PUBLIC_KEY_HEX];
    const body = encryptionKeysBody(configuredEncryptionKeys({ isTest: false, keys }), NOW_S);
    assert.deepEqual(body.data, [
      { public_key: OLD, key_type: 1, expire_at: CONFIGURED_KEY_EXPIRE_AT },
      { public_key: NEW, key_type: 1, expire_at: CONFIGURED_KEY_EXPIRE_AT },
    ]);
    const policy = new ReceiverKeyPolicy({ isTest: () => false, isRegistered: (hex) => keys.map((key) => key.toLowerCase()).includes(hex) }, () => FIXED_NOW_MS);
    for (const entry of body.data) policy.check(Buffer.from(entry.public_key, 'hex')); // each listed key is accepted
    assert.throws(() => policy.check(Buffer.from(REFERENCE_DEBUG_PUBLIC_KEY_HEX, 'hex')), { code: 'CCN_ERR_ENCRYPTION_UNREGISTERED_KEY' });
    const onTest = encryptionKeysBody(configuredEncryptionKeys({ isTest: true, keys }), NOW_S);
    assert.deepEqual(onTest.data.map((entry) => entry.public_key), [OLD, NEW, REFERENCE_DEBUG_PUBLIC_KEY_HEX]); // equal expiry: by key
    assert.deepEqual(encryptionKeysBody(configuredEncryptionKeys({ isTest: false, keys: [] }), NOW_S), { object: 'list', data: [] });
  });
});

describe('GET /v1/encryption/keys', () => {
  let listing: TestServer;
  let bare: TestServer;
  before(async () => {
    const root = rootWith(false, ROOT_KEYS);
    listing = await startTestServer({ encryptionKeys: rootEncryptionKeys(() => root), corsOrigins: ['http://127.0.0.1:10000'], accessHash: 'sesame' });
    bare = await startTestServer();
  });
  after(async () => {
    await listing.server.close();
    await bare.server.close();
  });

  test('answers the list at the server clock, without the stats access hash (public like /v1/models)', async () => {
    const answer = await send(`${listing.url}/v1/encryption/keys`);
    assert.equal(answer.status, 200);
    assert.match(String(answer.headers['content-type']), /^application\/json/);
    const body = answer.json() as { object: string; data: Array<{ public_key: string }> };
    assert.equal(body.object, 'list');
    assert.deepEqual(body.data.map((entry) => entry.public_key), [NEW, OLD, LAST_SECOND]);
    assert.equal((await send(`${listing.url}/v1/encryption/keys`, { method: 'HEAD' })).status, 200);
  });

  test('without a key source: an empty list', async () => {
    const answer = await send(`${bare.url}/v1/encryption/keys`);
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.json(), { object: 'list', data: [] });
  });

  test('the guard of /v1/models: GET only, foreign Host 421, foreign Origin 403, CORS for configured origins', async () => {
    const url = `${listing.url}/v1/encryption/keys`;
    const post = await send(url, { body: {} });
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, OPTIONS');
    assert.equal((await send(url, { headers: { host: 'evil.example' } })).status, 421);
    assert.equal((await send(url, { headers: { origin: 'http://attacker.example' } })).status, 403);
    const allowed = await send(url, { headers: { origin: 'http://127.0.0.1:10000' } });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers['access-control-allow-origin'], 'http://127.0.0.1:10000');
    const models = await send(`${listing.url}/v1/models`, { headers: { host: 'evil.example' } });
    assert.equal(models.status, 421); // the same door
  });
});
