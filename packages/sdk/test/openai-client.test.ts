// The official `openai` client with the one-line change `fetch: cocoonFetch(...)` (or `cocoon.fetch`):
// chat completions streamed and not go end to end through the relay double, their receipts are
// readable, and COCOON failures reach the app as the client's APIError with the CCN_ERR_* code and status.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { cocoonFetch, cocoonReceipt, createCocoon } from '@cocoon/sdk';
import { E2eTestRelay, KeySetTrustingVerifier } from './e2e-test-relay.ts';

const BASE = 'http://runner.test:10000/v1';
const CANARY = 'openai-canary-6d0a';

async function setup() {
  const relay = await E2eTestRelay.create();
  const verifier = new KeySetTrustingVerifier();
  const openai = new OpenAI({ baseURL: BASE, apiKey: 'unused', maxRetries: 0, fetch: cocoonFetch({ baseURL: BASE, verifier, fetch: relay.fetch }) });
  return { relay, verifier, openai };
}

const ask = { model: 'test/tiny-chat', messages: [{ role: 'user' as const, content: CANARY }] };

describe('openai client with cocoonFetch', () => {
  test('a non-streamed completion, end to end, with its receipt', async () => {
    const { relay, openai } = await setup();
    const { data, response } = await openai.chat.completions.create(ask).withResponse();
    assert.equal(data.choices[0]!.message.content, `echo: ${CANARY}`);
    assert.equal(response.headers.get('x-cocoon-e2e'), '1');
    const receipt = await cocoonReceipt(response);
    assert.equal(receipt!.verified, true);
    assert.equal(receipt!.cost_nanoton, '140');
    for (const body of relay.bodies) assert.ok(!Buffer.from(body).toString('latin1').includes(CANARY));
  });

  test('a streamed completion: the client parses the opened SSE; the receipt settles at the end', async () => {
    const { openai } = await setup();
    const { data: stream, response } = await openai.chat.completions.create({ ...ask, stream: true }).withResponse();
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    assert.equal(text, `echo: ${CANARY}`);
    assert.equal((await cocoonReceipt(response))!.verified, true);
  });

  test("COCOON's refusals are the client's APIError with the code and status", async () => {
    const { verifier, openai } = await setup();
    verifier.refuse = 'quote: not attested';
    const error = await openai.chat.completions.create(ask).then(() => assert.fail('expected a refusal'), (caught: unknown) => caught);
    assert.ok(error instanceof OpenAI.APIError);
    assert.equal(error.status, 502);
    assert.equal(error.code, 'CCN_ERR_E2E_EVIDENCE_INVALID');
    assert.match(error.message, /quote: not attested/);
  });

  test("createCocoon's fetch plugs in the same way and shares its verified evidence", async () => {
    const relay = await E2eTestRelay.create();
    const verifier = new KeySetTrustingVerifier();
    const cocoon = createCocoon({ baseURL: BASE, verifier, fetch: relay.fetch });
    assert.equal((await cocoon.attestation.verify('test/tiny-chat')).verified, true);
    const openai = new OpenAI({ baseURL: BASE, apiKey: 'unused', maxRetries: 0, fetch: cocoon.fetch });
    const answer = await openai.chat.completions.create(ask);
    assert.equal(answer.choices[0]!.message.content, `echo: ${CANARY}`);
    assert.equal(verifier.calls, 1);
  });
});
