// cocoonFetch against a test relay with a real worker side (E2eRequestOpener, sealed chunks, signed
// receipts): end-to-end answers, streamed and not, with their verified receipts; pass-through of
// other requests; the fallback rules; and every way the relay can spoil an answer, each with its code.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fromBase64OrUndefined } from '@cocoon/protocol';
import { cocoonFetch, cocoonReceipt } from '@cocoon/sdk';
import { E2eTestRelay, KeySetTrustingVerifier, TEST_MODEL } from './e2e-test-relay.ts';
import type { RelayEvent } from './e2e-test-relay.ts';

const BASE = 'http://runner.test:10000';
const CANARY = 'canary-7c1e5f';

async function setup(options: { require?: boolean } = {}) {
  const relay = await E2eTestRelay.create();
  const verifier = new KeySetTrustingVerifier();
  const fallbacks: string[] = [];
  const fetchE2e = cocoonFetch({ baseURL: `${BASE}/v1`, verifier, fetch: relay.fetch, ...options, onFallback: (reason) => fallbacks.push(reason) });
  return { relay, verifier, fallbacks, fetchE2e };
}

const chat = (extra: Record<string, unknown> = {}) => ({
  method: 'POST', headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ model: 'test/tiny-chat', messages: [{ role: 'user', content: CANARY }], max_tokens: 9, ...extra }),
});

const errorCode = async (response: Response): Promise<string> => ((await response.json()) as { error: { code: string } }).error.code;

/** Flips one ciphertext byte of the n-th chunk event. */
function flipChunk(events: RelayEvent[], n: number): RelayEvent[] {
  const chunks = events.filter((event) => event.type === 'chunk');
  const bytes = fromBase64OrUndefined(chunks[n]!.data!)!;
  bytes[bytes.length - 3]! ^= 0x01;
  chunks[n]!.data = Buffer.from(bytes).toString('base64');
  return events;
}

describe('cocoonFetch', () => {
  test('a non-streamed answer is sealed, opened and receipted; the relay never sees the prompt', async () => {
    const { relay, fetchE2e } = await setup();
    const response = await fetchE2e(`${BASE}/v1/chat/completions`, chat());
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-cocoon-e2e'), '1');
    const answer = (await response.json()) as { choices: Array<{ message: { content: string } }> };
    assert.equal(answer.choices[0]!.message.content, `echo: ${CANARY}`);
    const receipt = JSON.parse(response.headers.get('x-cocoon-receipt')!) as Record<string, unknown>;
    assert.equal(receipt.verified, true);
    assert.equal(receipt.model, TEST_MODEL);
    assert.equal(receipt.cost_nanoton, '140');
    assert.deepEqual(receipt.tokens_used, { prompt: 3, cached: 0, completion: 4, reasoning: 0, total: 7 });
    assert.equal(receipt.request_id, response.headers.get('x-cocoon-receipt-id'));
    assert.deepEqual(await cocoonReceipt(response), receipt);
    for (const body of relay.bodies) assert.ok(!Buffer.from(body).toString('latin1').includes(CANARY), 'the prompt reached the relay in clear');
    assert.equal(relay.plainRequests, 0);
  });

  test('a streamed answer stays SSE, arrives in pieces, and its receipt settles at the end', async () => {
    const { fetchE2e } = await setup();
    const response = await fetchE2e(`${BASE}/v1/chat/completions`, chat({ stream: true }));
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type')!, /text\/event-stream/);
    assert.equal(response.headers.get('x-cocoon-receipt'), null, 'a streamed answer cannot carry its receipt in a header');
    const reader = response.body!.getReader();
    let text = '';
    let reads = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      reads++;
      text += new TextDecoder().decode(value);
    }
    assert.ok(reads >= 3, `${reads} pieces`);
    assert.match(text, /data: \[DONE\]\n\n$/);
    const words = [...text.matchAll(/"content":"([^"]*)"/g)].map((match) => match[1]).join('');
    assert.equal(words, `echo: ${CANARY}`);
    assert.equal((await cocoonReceipt(response))!.verified, true);
  });

  test('other requests pass through unchanged (no e2e listing asked)', async () => {
    const { relay, fetchE2e, verifier } = await setup();
    const models = await fetchE2e(`${BASE}/v1/receipts/00`);
    assert.deepEqual(await models.json(), { path: '/v1/receipts/00', method: 'GET' });
    const elsewhere = await fetchE2e('http://other.test/v1/chat/completions', chat());
    assert.equal(((await elsewhere.json()) as { plain: boolean }).plain, true);
    assert.equal(cocoonReceipt(models), undefined);
    assert.equal(verifier.calls, 0);
    assert.equal(relay.bodies.length, 2);
  });

  test('evidence is verified once and reused across requests', async () => {
    const { fetchE2e, verifier } = await setup();
    for (let index = 0; index < 3; index++) assert.equal((await fetchE2e(`${BASE}/v1/chat/completions`, chat())).status, 200);
    assert.equal(verifier.calls, 1);
  });

  test('no e2e worker: refused by default (503 CCN_ERR_E2E_UNAVAILABLE), sent in clear only with require: false', async () => {
    const strict = await setup();
    strict.relay.workersListed = false;
    const refused = await strict.fetchE2e(`${BASE}/v1/chat/completions`, chat());
    assert.equal(refused.status, 503);
    assert.equal(await errorCode(refused), 'CCN_ERR_E2E_UNAVAILABLE');
    assert.equal(strict.relay.plainRequests, 0);
    const lax = await setup({ require: false });
    lax.relay.workersListed = false;
    const plain = await lax.fetchE2e(`${BASE}/v1/chat/completions`, chat());
    assert.equal(((await plain.json()) as { plain: boolean }).plain, true);
    assert.equal(lax.fallbacks.length, 1);
    assert.equal(plain.headers.get('x-cocoon-e2e'), null);
  });

  test('evidence that fails verification is never a reason to send in clear', async () => {
    const { relay, verifier, fetchE2e } = await setup({ require: false });
    verifier.refuse = 'certificate: not attested';
    const response = await fetchE2e(`${BASE}/v1/chat/completions`, chat());
    assert.equal(response.status, 502);
    assert.equal(await errorCode(response), 'CCN_ERR_E2E_EVIDENCE_INVALID');
    assert.equal(relay.plainRequests, 0);
  });

  const spoiled: Array<[string, (events: RelayEvent[]) => RelayEvent[], string]> = [
    ['a flipped byte in an answer chunk', (events) => flipChunk(events, 1), 'CCN_ERR_E2E_ANSWER_TAMPERED'],
    ['two chunks swapped', (events) => { const [a, b] = [events[1]!, events[2]!]; events[1] = b; events[2] = a; return events; }, 'CCN_ERR_E2E_ANSWER_TAMPERED'],
    ['a chunk replayed', (events) => [events[0]!, events[0]!, ...events.slice(1)], 'CCN_ERR_E2E_ANSWER_TAMPERED'],
    ['a middle chunk dropped', (events) => events.filter((_, index) => index !== 1), 'CCN_ERR_E2E_ANSWER_TAMPERED'],
    ['the final chunk dropped', (events) => events.filter((event, index) => !(event.type === 'chunk' && index === events.length - 2)), 'CCN_ERR_E2E_ANSWER_TRUNCATED'],
    ['the answer cut before its end line', (events) => events.slice(0, -1), 'CCN_ERR_E2E_ANSWER_TRUNCATED'],
    ['the receipt dropped', (events) => events.filter((event) => event.type !== 'receipt'), 'CCN_ERR_E2E_RECEIPT_INVALID'],
    ['the receipt altered', (events) => { const receipt = events.find((event) => event.type === 'receipt')!; const bytes = fromBase64OrUndefined(receipt.data!)!; bytes[bytes.length - 10]! ^= 1; receipt.data = Buffer.from(bytes).toString('base64'); return events; }, 'CCN_ERR_E2E_RECEIPT_INVALID'],
  ];
  for (const [what, tamper, code] of spoiled) {
    test(`${what}: ${code}`, async () => {
      const { relay, fetchE2e } = await setup();
      relay.tamper = tamper;
      const response = await fetchE2e(`${BASE}/v1/chat/completions`, chat());
      assert.equal(response.status, 502);
      assert.equal(response.headers.get('x-cocoon-e2e'), '1');
      assert.equal(await errorCode(response), code);
    });
  }

  test('a streamed answer spoiled after its first chunk ends the body with the error; the last piece is never handed out', async () => {
    const { relay, fetchE2e } = await setup();
    relay.tamper = (events) => events.filter((event) => event.type !== 'receipt');
    const response = await fetchE2e(`${BASE}/v1/chat/completions`, chat({ stream: true }));
    assert.equal(response.status, 200);
    const reader = response.body!.getReader();
    let text = '';
    const failure = await (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return undefined;
        text += new TextDecoder().decode(value);
      }
    })().catch((error: unknown) => error as { code?: string });
    assert.equal(failure?.code, 'CCN_ERR_E2E_RECEIPT_INVALID');
    assert.doesNotMatch(text, /\[DONE\]/);
    await assert.rejects(cocoonReceipt(response)!, { code: 'CCN_ERR_E2E_RECEIPT_INVALID' });
  });

  test("the relay's error line and its refusal before the first chunk reach the app with their codes", async () => {
    const { relay, fetchE2e } = await setup();
    relay.tamper = (events) => [events[0]!, { type: 'error', error: { code: 'CCN_ERR_WORKER_OVERLOADED', message: 'busy' } }];
    const failed = await fetchE2e(`${BASE}/v1/chat/completions`, chat());
    assert.equal(await errorCode(failed), 'CCN_ERR_WORKER_OVERLOADED');
    relay.refuseWith = { status: 503, code: 'CCN_ERR_E2E_NO_RECIPIENT' };
    const refused = await fetchE2e(`${BASE}/v1/chat/completions`, chat());
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('x-cocoon-e2e'), '1');
    assert.equal(await errorCode(refused), 'CCN_ERR_E2E_NO_RECIPIENT');
  });

  test('a malformed request body is a 400 and nothing is sent', async () => {
    const { relay, fetchE2e } = await setup();
    const response = await fetchE2e(`${BASE}/v1/chat/completions`, { method: 'POST', body: '{"messages":[]}' });
    assert.equal(response.status, 400);
    assert.equal(await errorCode(response), 'CCN_ERR_HTTP_BAD_REQUEST');
    assert.equal(relay.bodies.length, 0);
  });
});
