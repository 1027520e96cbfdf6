/**
 * The client runner's side of proto-3 encrypted requests (docs/protocol.md §20): `receiver_public_key` is
 * read in its three forms and kept in the body with the whole envelope, checked against the network's
 * registered keys (the reference's public test key only on a test network), and put in
 * `client.runQueryEx.public_key` with the reference's flags for the session's protocol version.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEV_NETWORK_PARAMS, REFERENCE_DEBUG_PUBLIC_KEY_HEX, StaticNetworkParamsSource, ed25519PublicKeyOf, encryptRequest, sealFormFields } from '@cocoon/protocol';
import type { TlObject } from '@cocoon/protocol';
import { ReceiverKeyPolicy, configuredReceiverKeys, parseInferenceRequest } from '../../src/http/index.ts';
import type { GatewayRequest } from '../../src/http/index.ts';
import { ProtocolInferenceGateway } from '../../src/gateway/protocol-inference-gateway.ts';
import { ClientStats } from '../../src/client-stats.ts';
import type { AnswerListener, ClientProxyConnection } from '../../src/connection/client-proxy-connection.ts';
import { FIXED_NOW_MS, startTestServer } from './test-server.ts';
import type { TestServer } from './test-server.ts';

const registered = Buffer.from(ed25519PublicKeyOf(new Uint8Array(32).fill(2))).toString('hex');
const unregistered = Buffer.from(ed25519PublicKeyOf(new Uint8Array(32).fill(3))).toString('hex');
const app = { senderKey: new Uint8Array(32).fill(1), receiverPublicKey: registered };
const codeOf = async (response: Response) => ((await response.json()) as { error: { code: string; param?: string } }).error;

describe('parsing receiver_public_key', () => {
  test('hex, base64 or 32 raw bytes; kept in the body with the envelope; client-only fields removed', () => {
    const sealed = encryptRequest({ model: 'm', messages: [{ role: 'user', content: 'hi' }], timeout: 5, request_guid: 'g' }, app);
    const parsed = parseInferenceRequest(Buffer.from(sealed));
    assert.equal(parsed.receiverPublicKey!.toString('hex'), registered);
    const body = JSON.parse(parsed.body.toString()) as Record<string, unknown>;
    for (const field of ['is_encrypted', 'sender_public_key', 'receiver_public_key', 'encryption_nonce']) assert.ok(field in body, field);
    assert.ok(!('timeout' in body) && !('request_guid' in body));
    const key = Buffer.from(registered, 'hex');
    assert.deepEqual(parseInferenceRequest(Buffer.from(JSON.stringify({ model: 'm', receiver_public_key: key.toString('base64') }))).receiverPublicKey, key);
    assert.deepEqual(parseInferenceRequest(Buffer.from(JSON.stringify({ model: 'm', receiver_public_key: 'z'.repeat(32) }))).receiverPublicKey, Buffer.alloc(32, 'z'));
    assert.equal(parseInferenceRequest(Buffer.from('{"model":"m"}')).receiverPublicKey, undefined);
  });

  test('anything else is a 400 naming the field', () => {
    for (const value of ['abc', 'g'.repeat(64), 42]) {
      assert.throws(() => parseInferenceRequest(Buffer.from(JSON.stringify({ model: 'm', receiver_public_key: value }))), (error: Error & { code?: string; param?: string }) => {
        assert.ok(error.code === 'CCN_ERR_ENCRYPTION_BAD_PUBLIC_KEY' || error.code === 'CCN_ERR_HTTP_BAD_REQUEST', error.code);
        assert.equal(error.param, 'receiver_public_key');
        return true;
      });
    }
  });
});

describe('which keys an app may encrypt to', () => {
  const onChain = (isTest: boolean, keys: Array<{ publicKey: string; expireAt: number }>) => new ReceiverKeyPolicy({
    isTest: () => isTest,
    isRegistered: (hex, nowSeconds) => keys.some((key) => key.publicKey === hex && key.expireAt >= nowSeconds),
  }, () => FIXED_NOW_MS);
  const now = Math.floor(FIXED_NOW_MS / 1000);

  test('a registered, unexpired key; not an expired or unknown one', () => {
    const policy = onChain(false, [{ publicKey: registered, expireAt: now + 10 }, { publicKey: 'cd'.repeat(32), expireAt: now - 1 }]);
    policy.check(Buffer.from(registered, 'hex'));
    assert.throws(() => policy.check(Buffer.from('cd'.repeat(32), 'hex')), { code: 'CCN_ERR_ENCRYPTION_UNREGISTERED_KEY' });
    assert.throws(() => policy.check(Buffer.alloc(32, 9)), { code: 'CCN_ERR_ENCRYPTION_UNREGISTERED_KEY' });
  });

  test("the reference's public test key: refused unless the network is a test one, even where listed", () => {
    assert.equal(REFERENCE_DEBUG_PUBLIC_KEY_HEX, Buffer.from('+2fQ/NM48g4NSVfZ6CrcEB0uNROkSKOrRgUu4biMWBg=', 'base64').toString('hex'));
    const debugKey = Buffer.from(REFERENCE_DEBUG_PUBLIC_KEY_HEX, 'hex');
    const listed = [{ publicKey: REFERENCE_DEBUG_PUBLIC_KEY_HEX, expireAt: now + 10 }];
    assert.throws(() => onChain(false, listed).check(debugKey), (error: Error & { code?: string }) => error.code === 'CCN_ERR_ENCRYPTION_UNREGISTERED_KEY' && /test key/.test(error.message));
    onChain(true, listed).check(debugKey);
    assert.throws(() => new ReceiverKeyPolicy(configuredReceiverKeys({ isTest: false, keys: [REFERENCE_DEBUG_PUBLIC_KEY_HEX] })).check(debugKey), { code: 'CCN_ERR_ENCRYPTION_UNREGISTERED_KEY' });
  });

  test('off chain: only the configured keys, or any on a test network', () => {
    const production = new ReceiverKeyPolicy(configuredReceiverKeys({ isTest: false, keys: [registered.toUpperCase()] }));
    production.check(Buffer.from(registered, 'hex'));
    assert.throws(() => production.check(Buffer.alloc(32, 9)), { code: 'CCN_ERR_ENCRYPTION_UNREGISTERED_KEY' });
    new ReceiverKeyPolicy(configuredReceiverKeys({ isTest: true, keys: [] })).check(Buffer.alloc(32, 9));
  });
});

describe('the HTTP edge', () => {
  let test_: TestServer;
  let unconfigured: TestServer;
  before(async () => {
    test_ = await startTestServer({ receiverKeys: new ReceiverKeyPolicy(configuredReceiverKeys({ isTest: false, keys: [registered] })) });
    unconfigured = await startTestServer();
  });
  after(async () => {
    await test_.server.close();
    await unconfigured.server.close();
  });
  const post = (server: TestServer, body: string) => fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  test('a registered key reaches the gateway with the request', async () => {
    const response = await post(test_, encryptRequest({ model: 'm', messages: [] }, app));
    assert.equal(response.status, 200);
    assert.equal(test_.gateway.requests.at(-1)!.receiverPublicKey!.toString('hex'), registered);
  });

  test('an encrypted transcription upload: only the clear fields are checked, its key goes to the gateway', async () => {
    const fields = sealFormFields([
      { name: 'model', value: Buffer.from('whisper') }, { name: 'file', value: Buffer.from([1, 2, 3]) }, { name: 'response_format', value: Buffer.from('json') },
    ], { senderPrivateKey: app.senderKey, receiverPublicKey: Buffer.from(registered, 'hex'), direction: 'c' });
    const boundary = 'b0undary';
    const body = Buffer.concat([
      ...fields.map((field) => Buffer.concat([ // receiver_public_key is one of the envelope fields
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field.name}"${field.name === 'file' ? '; filename="a.wav"' : ''}\r\n\r\n`), field.value, Buffer.from('\r\n'),
      ])),
      Buffer.from(`--${boundary}--\r\n`),
    ]);
    const response = await fetch(`${test_.url}/v1/audio/transcriptions`, { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body });
    assert.equal(response.status, 200, await response.text());
    const request = test_.gateway.requests.at(-1)!;
    assert.equal(request.receiverPublicKey!.toString('hex'), registered);
    assert.equal(request.model, 'whisper');
  });

  test('an unregistered key, or any key where none is configured, is a 400 before the gateway', async () => {
    const count = test_.gateway.requests.length;
    const other = await post(test_, encryptRequest({ model: 'm', messages: [] }, { ...app, receiverPublicKey: unregistered }));
    assert.equal(other.status, 400);
    const error = await codeOf(other);
    assert.equal(error.code, 'CCN_ERR_ENCRYPTION_UNREGISTERED_KEY');
    assert.equal(error.param, 'receiver_public_key');
    const none = await post(unconfigured, encryptRequest({ model: 'm', messages: [] }, app));
    assert.equal(none.status, 400);
    assert.equal((await codeOf(none)).code, 'CCN_ERR_ENCRYPTION_UNREGISTERED_KEY');
    assert.equal(test_.gateway.requests.length, count);
    assert.equal(unconfigured.gateway.requests.length, 0);
  });
});

describe('client.runQueryEx public_key and flags, by protocol version', () => {
  /** Test double: a ready proxy connection of a given protocol version that records the query. */
  class ConnectionDouble {
    isReady = true;
    query: TlObject | undefined;
    constructor(readonly protoVersion: number) {}
    runQuery(query: TlObject, _listener: AnswerListener) { this.query = query; }
    forget() {}
  }
  const run = (protoVersion: number, receiverPublicKey?: Buffer) => {
    const connection = new ConnectionDouble(protoVersion);
    const gateway = new ProtocolInferenceGateway({ connections: [connection as unknown as ClientProxyConnection], params: new StaticNetworkParamsSource(DEV_NETWORK_PARAMS), stats: new ClientStats(Date.now) });
    const request: GatewayRequest = {
      path: '/v1/chat/completions', method: 'POST', headers: {}, body: Buffer.from('{}'), model: 'm', maxCoefficient: 4000, maxTokens: 10, timeoutMs: 1000,
      enableDebug: false, signal: new AbortController().signal, ...(receiverPublicKey ? { receiverPublicKey } : {}),
    };
    return { pending: gateway.run(request), connection };
  };

  test('protocol 3 and 4: flags 3 with the key, or 32 zero bytes when clear (as the reference)', () => {
    for (const version of [3, 4]) {
      const encrypted = run(version, Buffer.from(registered, 'hex'));
      assert.equal(encrypted.connection.query!.flags, 3);
      assert.equal((encrypted.connection.query!.public_key as Buffer).toString('hex'), registered);
      const clear = run(version);
      assert.equal(clear.connection.query!.flags, 3);
      assert.deepEqual(clear.connection.query!.public_key, Buffer.alloc(32));
    }
  });

  test('below protocol 3: clear requests as before; an encrypted one is refused with a clear error', async () => {
    const clear = run(2);
    assert.equal(clear.connection.query!.flags, 1);
    assert.equal(clear.connection.query!.public_key, undefined);
    await assert.rejects(run(2, Buffer.from(registered, 'hex')).pending, { code: 'CCN_ERR_ENCRYPTION_UNSUPPORTED' });
  });
});
