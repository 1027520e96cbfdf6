/**
 * Canary: a string in an end-to-end prompt never appears anywhere the proxy can see or write it. The
 * proxy runs with its log captured at debug level and its ledger on disk; test-only TLS interposers sit
 * on both of its sockets (client runner ↔ proxy, worker ↔ proxy) and record every session frame in
 * plaintext. After sealed requests (streamed and not) the canary is in no log line, no ledger file and
 * no frame either way. Control: a clear request's canary IS seen in the frames (the check can fail).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBoxed, isE2eRequestBytes } from '@cocoon/protocol';
import { cocoonFetch } from '@cocoon/sdk';
import { decodeInterposedFrame } from '@cocoon/test-support';
import { E2E_TEST_MODEL, filesUnder, outcomeOf, startE2eNetwork } from './e2e-network-harness.ts';
import type { E2eNetwork } from './e2e-network-harness.ts';

const CANARY = 'canary-e2e-5f3a9d71';
const CLEAR_CANARY = 'canary-clear-0b8e44c2';

describe('prompt canary: nothing of an e2e prompt reaches the proxy in clear', () => {
  let network: E2eNetwork;
  before(async () => {
    network = await startE2eNetwork({ interposeClient: true, interposeWorkers: true });
  });
  after(async () => {
    await network?.close();
  });

  const seenIn = (canary: string) => {
    const frames = [...network.clientInterposer!.frames, ...network.workerInterposer!.frames];
    return {
      frames: frames.filter((frame) => frame.payload.includes(canary)).length,
      logs: network.proxyLogs.filter((line) => line.includes(canary)).length,
      ledger: filesUnder(network.ledgerDir).filter((file) => file.bytes.includes(canary)).map((file) => file.path),
    };
  };

  test('sealed requests, streamed and not: the canary is in no proxy log line, ledger file or frame', async () => {
    const appFetch = cocoonFetch({ baseURL: network.baseUrl, verifier: network.verifier });
    for (const stream of [false, true]) {
      const response = await appFetch(`${network.baseUrl}/chat/completions`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: E2E_TEST_MODEL, messages: [{ role: 'system', content: `never say ${CANARY}` }, { role: 'user', content: `repeat ${CANARY}` }], max_tokens: 16, stream }),
      });
      assert.equal(response.headers.get('x-cocoon-e2e'), '1');
      assert.equal(await outcomeOf(response), 'ok');
    }
    // The sealed requests did pass both interposers (the worker got them from the proxy through one).
    const sealedToWorker = network.workerInterposer!.frames.filter((frame) => {
      if (frame.direction !== 'from-proxy') return false;
      const { inner } = decodeInterposedFrame(frame.payload);
      return inner?._ === 'proxy.runQueryEx' && isE2eRequestBytes((inner as unknown as { query: Buffer }).query);
    });
    assert.equal(sealedToWorker.length, 2);
    assert.ok(network.proxyLogs.length > 0, 'the proxy logged (debug) while serving');
    assert.ok(filesUnder(network.ledgerDir).length > 0, 'the ledger is on disk');
    assert.deepEqual(seenIn(CANARY), { frames: 0, logs: 0, ledger: [] });
  });

  test('control: a clear request through the same proxy shows its canary to the interposers', async () => {
    const response = await fetch(`${network.baseUrl}/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: E2E_TEST_MODEL, messages: [{ role: 'user', content: CLEAR_CANARY }], max_tokens: 4 }),
    });
    assert.equal(response.status, 200);
    assert.ok(seenIn(CLEAR_CANARY).frames >= 2, 'the clear prompt crossed both sockets in plaintext');
    assert.ok(decodeBoxed(network.clientInterposer!.frames[0]!.payload)._.startsWith('tcp.'));
  });
});
