/**
 * The policy when E2E is required but impossible (§22): against a reference proxy (no `e2e` on the
 * session) or an e2e proxy without e2e workers for the model, `e2e_fallback: "refuse"` answers 503
 * CCN_ERR_E2E_UNAVAILABLE and sends nothing; `"proto3"` encrypts the request itself with the reference's
 * proto-3 encryption to the registered network key (the proxy never sees the prompt in clear) and
 * decrypts the answer, or refuses when no key is registered. Never plaintext once E2E was required.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { decodeHttpRequest, ed25519PublicKeyOf, encodeHttpResponse, openJsonObject, sealJsonText, toHex } from '@cocoon/protocol';
import type { JsonObject, TlObject } from '@cocoon/protocol';
import { BASE_MODEL, ProxySessionDouble, startE2eTestClient, tokens } from './e2e-client-fixture.ts';
import type { E2eTestClientOptions } from './e2e-client-fixture.ts';

const NETWORK_SEED = randomBytes(32);
const NETWORK_KEY = toHex(ed25519PublicKeyOf(NETWORK_SEED));
const registered = { isTest: () => true, keys: () => [{ publicKey: NETWORK_KEY, keyType: 1, expireAt: 0xffff_ffff }] };

async function withClient(proxy: ProxySessionDouble, options: E2eTestClientOptions, run: (url: string) => Promise<void>): Promise<void> {
  const client = await startE2eTestClient(proxy, options);
  try {
    await run(client.url);
  } finally {
    await client.close();
  }
}

const chat = (url: string, headers: Record<string, string> = {}) => fetch(`${url}/v1/chat/completions`, {
  method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ model: BASE_MODEL, messages: [{ role: 'user', content: 'private question' }] }),
});

async function assertUnavailable(response: Response): Promise<void> {
  assert.equal(response.status, 503);
  const body = (await response.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'CCN_ERR_E2E_UNAVAILABLE');
}

test('refuse: a reference proxy gets nothing and the app a 503 CCN_ERR_E2E_UNAVAILABLE (header or config)', async () => {
  const proxy = new ProxySessionDouble(undefined, false);
  await withClient(proxy, { fallback: 'refuse' }, async (url) => {
    await assertUnavailable(await chat(url, { 'x-cocoon-e2e': 'require' }));
  });
  await withClient(proxy, { fallback: 'refuse', requireE2e: true }, async (url) => {
    await assertUnavailable(await chat(url));
  });
  assert.equal(proxy.queries.length, 0);
});

test('refuse: an e2e proxy without e2e workers for the model is no e2e path either', async () => {
  const proxy = new ProxySessionDouble(undefined, true);
  await withClient(proxy, { fallback: 'refuse', requireE2e: true }, async (url) => assertUnavailable(await chat(url)));
  assert.equal(proxy.queries.length, 0);
});

test('proto3: the runner encrypts to the registered key, the proxy never sees the prompt, the app gets the decrypted answer', async () => {
  const proxy = new ProxySessionDouble(undefined, false);
  let wire: TlObject | undefined;
  proxy.plainAnswer = (query, listener) => {
    wire = query;
    const request = decodeHttpRequest(query.query as Buffer);
    const opened = openJsonObject(JSON.parse(request.payload.toString()) as JsonObject, { privateKey: NETWORK_SEED, direction: 'c' });
    const question = ((opened.object.messages as JsonObject[])[0]!).content;
    const answer = sealJsonText({ object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: `echo: ${String(question)}` } }] }, {
      senderPrivateKey: NETWORK_SEED, receiverPublicKey: opened.senderPublicKey!, direction: 'w',
    });
    listener.onAnswerMessage({
      _: 'client.queryAnswerEx', request_id: query.request_id as Buffer, flags: 1, final_info: { _: 'client.queryFinalInfo', flags: 0, tokens_used: tokens(9n) },
      answer: encodeHttpResponse({ httpVersion: 'HTTP/1.1', statusCode: 200, reason: 'OK', headers: [['Content-Type', 'application/json']], payload: Buffer.from(answer) }),
    });
  };
  await withClient(proxy, { fallback: 'proto3', requireE2e: true, encryptionKeys: registered }, async (url) => {
    const response = await chat(url);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-cocoon-e2e'), 'proto3');
    const body = (await response.json()) as { choices: Array<{ message: { content: string } }> };
    assert.equal(body.choices[0]!.message.content, 'echo: private question');
  });
  assert.ok(wire);
  assert.equal((wire.query as Buffer).includes(Buffer.from('private question')), false, 'no plaintext on the wire');
  assert.equal(toHex(wire.public_key as Buffer), NETWORK_KEY);
});

test('proto3 without a registered key refuses; nothing is sent', async () => {
  const proxy = new ProxySessionDouble(undefined, false);
  await withClient(proxy, { fallback: 'proto3', requireE2e: true }, async (url) => assertUnavailable(await chat(url)));
  assert.equal(proxy.queries.length, 0);
});
