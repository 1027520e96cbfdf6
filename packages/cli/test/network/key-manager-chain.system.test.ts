/**
 * System test of the key manager in `cocoon dev` on chain (simulated TDX): the bootstrap names it
 * on the dev root (machine key, image hash, address), it publishes its first key with the signed op
 * before it is ready, and the proxy and the worker — each verifying its attested image hash against
 * the root — fetch the private keys from it. Then an app's view (§20): it finds the network key at the
 * client's GET /v1/encryption/keys, encrypts a chat completion to it with @cocoon/protocol's helper, and
 * gets the answer (plain and streamed, every SSE chunk) encrypted back to it — the test engine's answer,
 * with no clear prompt or answer text on the wire.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Address } from '@ton/core';
import { createChain, readRootConfig, REFERENCE_DEBUG_PUBLIC_KEY_HEX } from '@cocoon/ton';
import { SseAnswerDecryptor, decryptAnswer, encryptRequest, isEncryptedField, type JsonObject, type SseAnswerEvent } from '@cocoon/protocol';
import { generateTestCompletion } from '@cocoon/worker';
import { startDevNetwork } from '../../src/index.ts';
import type { DevNetwork } from '../../src/index.ts';
import { describeDevNetwork, networkEncryptionKey } from '../../src/commands/dev-command.ts';
import { ChildLogs, fetchJson, freePorts } from './network-harness.ts';

interface KeyManagerStats {
  keys: Array<{ public_key: string }>;
  requests: { served_to_proxies: number; served_to_workers: number; refused: number };
  root: { names_this_key_manager: boolean };
}

interface EncryptionKeysAnswer {
  object: string;
  data: Array<{ public_key: string; key_type: number; expire_at: number }>;
}

const SECRET_PROMPT = 'the confidential prompt 0451';

/** Every string value that is not one of the clear fields (model, token limits, the envelope) is an ENC_ value. */
function assertSealed(value: unknown, where: string, key = ''): void {
  if (typeof value === 'string') {
    if (isEncryptedField(key)) assert.ok(value.startsWith('ENC_'), `${where}: a clear string at ${key}`);
  } else if (Array.isArray(value)) {
    for (const item of value) assertSealed(item, where, key);
  } else if (typeof value === 'object' && value !== null) {
    if (key !== '' && !isEncryptedField(key)) return; // everything under a clear key stays clear
    for (const [inner, item] of Object.entries(value)) assertSealed(item, where, inner);
  }
}

/** The text of the deltas of decrypted SSE events. */
function streamedText(events: SseAnswerEvent[]): string {
  return events.map((event) => (event.type === 'data' ? ((((event.data.choices as JsonObject[] | undefined)?.[0]?.delta as JsonObject | undefined)?.content as string | undefined) ?? '') : '')).join('');
}

describe('cocoon dev network: the key manager', { timeout: 300_000 }, () => {
  const logs = new ChildLogs();
  let network: DevNetwork;
  let directory: string;

  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'cocoon-dev-key-manager-'));
    const [clientHttp, proxyHttp, proxyWorker, proxyClient, workerHttp, engine, chain, keyManagerHttp, keyManagerRpc] = await freePorts(9);
    network = await startDevNetwork({
      engine: 'test', workers: 1,
      ports: { clientHttp, proxyHttp, proxyWorker, proxyClient, workerHttp, engine, chain, keyManagerHttp, keyManagerRpc },
      powDifficulty: 8, onLine: logs.onLine, readyTimeoutMs: 180_000,
      chain: { directory, saveStateIntervalMs: 60_000, pollIntervalMs: 200 },
    });
  });

  after(async () => {
    await network?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  test('the key manager is named on the root, publishes its key, and serves the proxy and the worker', async () => {
    const statsUrl = network.statsUrls['key-manager']!.replace(/\/stats$/, '/jsonstats');
    const first = (await fetchJson(statsUrl)) as unknown as KeyManagerStats;
    assert.equal(first.root.names_this_key_manager, true);
    assert.equal(first.keys.length, 1);
    const chain = await createChain({ kind: 'toncenter', endpoint: network.chain!.endpoint });
    try {
      const root = await readRootConfig(chain, Address.parse(network.chain!.rootAddress));
      assert.ok(root.registeredPublicKeys.some((key) => key.publicKey === first.keys[0]!.public_key), 'the root lists the key');
      assert.ok(root.keyManager && root.keyManager.address !== '', 'the root names the key manager');
    } finally {
      await chain.close();
    }
    const deadline = Date.now() + 60_000;
    let stats = first;
    while ((stats.requests.served_to_proxies === 0 || stats.requests.served_to_workers === 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      stats = (await fetchJson(statsUrl)) as unknown as KeyManagerStats;
    }
    assert.ok(stats.requests.served_to_proxies > 0, `the proxy fetched the keys\n${logs.tail()}`);
    assert.ok(stats.requests.served_to_workers > 0, `the worker fetched the keys\n${logs.tail()}`);
    assert.equal(stats.requests.refused, 0);
  });

  test('an app finds the network key at /v1/encryption/keys and gets encrypted answers, plain and streamed', async () => {
    const keyManagerStats = (await fetchJson(network.statsUrls['key-manager']!.replace(/\/stats$/, '/jsonstats'))) as unknown as KeyManagerStats;
    const listed = await fetch(`${network.baseUrl}/encryption/keys`);
    assert.equal(listed.status, 200);
    const keys = (await listed.json()) as EncryptionKeysAnswer;
    assert.equal(keys.object, 'list');
    const networkKey = keys.data[0];
    assert.ok(networkKey, 'the client lists a key');
    assert.ok(keyManagerStats.keys.some((key) => key.public_key === networkKey.public_key), "it is the key manager's key");
    assert.equal(networkKey.key_type, 1);
    assert.ok(networkKey.expire_at > Date.now() / 1000);
    assert.ok(keys.data.every((key) => key.public_key !== REFERENCE_DEBUG_PUBLIC_KEY_HEX), 'never the public debug key');
    const summaryKey = await networkEncryptionKey(network.baseUrl); // what `cocoon dev` prints when ready
    assert.ok(describeDevNetwork(network, summaryKey).includes(`  encryption key (proto 3): ${networkKey.public_key} (GET /v1/encryption/keys)`));

    const app = { senderKey: new Uint8Array(32).fill(0x3c), receiverPublicKey: networkKey.public_key };
    const plain = { model: 'test/tiny-chat', messages: [{ role: 'user', content: SECRET_PROMPT }], max_tokens: 6 };
    const expected = generateTestCompletion(plain, 'chat').pieces.join('');
    const post = async (body: JsonObject): Promise<Response> => {
      const sealed = encryptRequest(body, app);
      assert.ok(!sealed.includes(SECRET_PROMPT));
      assertSealed(JSON.parse(sealed), 'the request');
      // The proxy may not hold the new key yet: 503 CCN_ERR_ENCRYPTION_UNKNOWN_KEY with Retry-After, bounded.
      const deadline = Date.now() + 60_000;
      for (;;) {
        const response = await fetch(`${network.baseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: sealed });
        if (response.status !== 503 || Date.now() > deadline) return response;
        const refusal = (await response.json()) as { error: { code: string } };
        assert.equal(refusal.error.code, 'CCN_ERR_ENCRYPTION_UNKNOWN_KEY', JSON.stringify(refusal));
        assert.ok(response.headers.get('retry-after'));
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    };

    const answer = await post(plain);
    const text = await answer.text();
    assert.equal(answer.status, 200, `${text}\n${logs.tail()}`);
    assert.ok(!text.includes(SECRET_PROMPT) && !text.includes(expected), 'no clear prompt or answer on the wire');
    assertSealed(JSON.parse(text), 'the answer');
    const opened = decryptAnswer(text, app);
    assert.equal(((opened.choices as JsonObject[])[0]!.message as JsonObject).content, expected);
    assert.equal(opened.object, 'chat.completion');

    const stream = await post({ ...plain, stream: true });
    assert.equal(stream.status, 200);
    const raw = await stream.text();
    const decryptor = new SseAnswerDecryptor(app);
    const events = [...decryptor.push(raw), ...decryptor.end()];
    assert.ok(!raw.includes(SECRET_PROMPT) && !raw.includes(expected), 'no clear prompt or answer in the stream');
    const dataLines = raw.split('\n').filter((line) => line.startsWith('data:') && line.trim() !== 'data: [DONE]');
    assert.equal(dataLines.length, events.filter((event) => event.type === 'data').length, 'every data line decrypts');
    for (const line of dataLines) assertSealed(JSON.parse(line.slice(5)), 'a stream chunk');
    assert.equal(streamedText(events), expected);
    assert.deepEqual(events.at(-1), { type: 'done' });
  });
});
