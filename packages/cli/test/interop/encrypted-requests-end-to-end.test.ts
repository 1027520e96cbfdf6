/**
 * Proto-3 encrypted requests end to end (docs/protocol.md §20): proxy, worker and client runners in
 * process off chain, the worker on the real test engine. The app encrypts with @cocoon/protocol's
 * helper to the network key the proxy's key ring holds; the answer, streamed or not, comes back
 * encrypted to the app (every SSE chunk on its own) and decrypts; nothing of the prompt or the answer
 * travels in clear past the client runner. Refusals reach the app as HTTP errors with their codes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EncryptionKeyRing, SseAnswerDecryptor, createLogger, decryptAnswer, ed25519PublicKeyOf, encryptRequest } from '@cocoon/protocol';
import type { JsonObject, RunnerHandle } from '@cocoon/protocol';
import { proxyConfigSchema, startProxyRunner } from '@cocoon/proxy';
import { startTestEngine, startWorkerRunner, workerConfigSchema } from '@cocoon/worker';
import type { TestEngine } from '@cocoon/worker';
import { clientConfigSchema, startClientRunner } from '@cocoon/client';

const quiet = (name: string) => createLogger(name, { level: 'error' });

async function waitFor(condition: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const networkKey = new Uint8Array(32).fill(0x5a); // stands in for the key manager's key
const networkPublicHex = Buffer.from(ed25519PublicKeyOf(networkKey)).toString('hex');
const app = { senderKey: new Uint8Array(32).fill(0xa5), receiverPublicKey: networkPublicHex };
const SECRET = 'the-secret-prompt-4711';

describe('encrypted requests through our proxy, worker and client', () => {
  const directory = mkdtempSync(join(tmpdir(), 'cocoon-encrypted-'));
  const keyRing = new EncryptionKeyRing();
  let engine: TestEngine;
  let proxy: RunnerHandle;
  let worker: RunnerHandle;
  let client: RunnerHandle;
  let baseUrl: string;

  const post = (body: string) => fetch(`${baseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const chat = (extra: JsonObject = {}) => encryptRequest({ model: 'test/tiny-chat', messages: [{ role: 'user', content: SECRET }], max_tokens: 12, ...extra }, app);

  before(async () => {
    keyRing.replace([{ privateKey: networkKey, validUntilUtime: Math.floor(Date.now() / 1000) + 3600 }]);
    engine = await startTestEngine({ host: '127.0.0.1', port: 0 });
    proxy = await startProxyRunner(proxyConfigSchema.parse({
      client_port: 0, worker_port: 0, http_port: 0, pow_difficulty: 2,
      admin_token_file: join(directory, 'proxy.token'), proxy_key_file: join(directory, 'proxy.key'),
    }), { logger: quiet('proxy'), encryptionKeys: keyRing });
    const { worker_port: workerPort, client_port: clientPort } = proxy.readyInfo as { worker_port: number; client_port: number };
    worker = await startWorkerRunner(workerConfigSchema.parse({
      engine_url: engine.url, proxy_address: `127.0.0.1:${workerPort}`, http_port: 0,
      admin_token_file: join(directory, 'worker.token'), worker_state_dir: join(directory, 'worker'),
    }), { logger: quiet('worker') });
    client = await startClientRunner(clientConfigSchema.parse({
      proxy_address: `127.0.0.1:${clientPort}`, http_port: 0, admin_token_file: join(directory, 'client.token'),
    }), { logger: quiet('client') });
    baseUrl = client.readyInfo.url as string;
    await waitFor(async () => (await (await fetch(`${baseUrl}/models`)).json() as { data: unknown[] }).data.length > 0, 'the worker to be listed');
  });

  after(async () => {
    await client?.close();
    await worker?.close();
    await proxy?.close();
    await engine?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  test('a non-streamed answer comes back encrypted to the app and decrypts, with its usage', async () => {
    const response = await post(chat());
    const text = await response.text();
    assert.equal(response.status, 200, text);
    assert.doesNotMatch(text, new RegExp(SECRET));
    const answer = decryptAnswer(text, app);
    const message = ((answer.choices as JsonObject[])[0]!.message as JsonObject);
    assert.equal(message.role, 'assistant');
    assert.equal(typeof message.content, 'string');
    assert.ok(((answer.usage as JsonObject).total_tokens as number) > 0);
    assert.equal(typeof (answer.usage as JsonObject).total_cost, 'number');
    assert.equal(answer.object, 'chat.completion');
  });

  test('a streamed answer: every SSE chunk decrypts on its own, then [DONE]', async () => {
    const response = await post(chat({ stream: true }));
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/event-stream/);
    const decryptor = new SseAnswerDecryptor(app);
    const events = [];
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let raw = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const piece = decoder.decode(value, { stream: true });
      raw += piece;
      events.push(...decryptor.push(piece));
    }
    events.push(...decryptor.end());
    assert.doesNotMatch(raw, new RegExp(SECRET));
    const data = events.filter((event) => event.type === 'data');
    assert.ok(data.length >= 3, `${data.length} chunks`);
    assert.deepEqual(events.at(-1), { type: 'done' });
    const nonces = new Set([...raw.matchAll(/"encryption_nonce":"([^"]+)"/g)].map((match) => match[1]));
    assert.equal(nonces.size, data.length, 'a fresh nonce per chunk');
    const content = data.map((event) => ((((event.data.choices as JsonObject[])[0] ?? {}) as JsonObject).delta as JsonObject | undefined)?.content ?? '').join('');
    assert.ok(content.length > 0);
    assert.ok(data.some((event) => event.data.usage !== undefined && event.data.usage !== null), 'the usage chunk is there too');
  });

  test('a key the proxy does not hold: 503 CCN_ERR_ENCRYPTION_UNKNOWN_KEY with Retry-After, at once', async () => {
    const other = { ...app, receiverPublicKey: Buffer.from(ed25519PublicKeyOf(new Uint8Array(32).fill(0x77))).toString('hex') };
    const response = await post(encryptRequest({ model: 'test/tiny-chat', messages: [{ role: 'user', content: 'x' }] }, other));
    assert.equal(response.status, 503);
    assert.ok(response.headers.get('retry-after'));
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'CCN_ERR_ENCRYPTION_UNKNOWN_KEY');
  });

  test("the reference's public test key is accepted on a test network only (this one is): it reaches the proxy", async () => {
    const debugKey = { ...app, receiverPublicKey: '+2fQ/NM48g4NSVfZ6CrcEB0uNROkSKOrRgUu4biMWBg=' };
    const response = await post(encryptRequest({ model: 'test/tiny-chat', messages: [{ role: 'user', content: 'x' }] }, debugKey));
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'CCN_ERR_ENCRYPTION_UNKNOWN_KEY');
  });

  test('the worker refuses a key with a clear request and a tampered value, with their codes (400)', async () => {
    const clear = await post(JSON.stringify({ model: 'test/tiny-chat', messages: [{ role: 'user', content: 'x' }], receiver_public_key: networkPublicHex }));
    assert.equal(clear.status, 400);
    assert.equal(((await clear.json()) as { error: { code: string } }).error.code, 'CCN_ERR_ENCRYPTION_UNEXPECTED_KEY');
    const sealed = JSON.parse(chat()) as { messages: Array<{ content: string }> };
    const value = sealed.messages[0]!.content;
    sealed.messages[0]!.content = value.slice(0, 10) + (value[10] === 'a' ? 'b' : 'a') + value.slice(11);
    const tampered = await post(JSON.stringify(sealed));
    assert.equal(tampered.status, 400);
    assert.equal(((await tampered.json()) as { error: { code: string } }).error.code, 'CCN_ERR_ENCRYPTION_BAD_VALUE');
  });

  test('a malformed receiver_public_key is refused by the client runner (400)', async () => {
    const response = await post(JSON.stringify({ model: 'test/tiny-chat', messages: [], receiver_public_key: 'abc' }));
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'CCN_ERR_ENCRYPTION_BAD_PUBLIC_KEY');
  });
});
