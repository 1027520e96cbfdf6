/**
 * The whole end-to-end path with the official `openai` npm client: proxy, worker (real test engine)
 * and client runner in process, the app's fetch is @cocoon/sdk's cocoonFetch with the Node evidence
 * verifier. Answers come back streamed and not; every one carries a receipt the app verified
 * (signed by the attested worker key it sealed to) and the client runner stored it as verified.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { cocoonFetch, cocoonReceipt } from '@cocoon/sdk';
import type { CocoonReceiptSummary } from '@cocoon/sdk';
import { E2E_TEST_MODEL, startE2eNetwork } from './e2e-network-harness.ts';
import type { E2eNetwork } from './e2e-network-harness.ts';

describe('openai client through cocoonFetch, end to end encrypted', () => {
  let network: E2eNetwork;
  let openai: OpenAI;

  before(async () => {
    network = await startE2eNetwork();
    openai = new OpenAI({ baseURL: network.baseUrl, apiKey: 'x', maxRetries: 0, fetch: cocoonFetch({ baseURL: network.baseUrl, verifier: network.verifier }) });
  });
  after(async () => {
    await network?.close();
  });

  test('a non-streamed completion, with its verified receipt in x-cocoon-receipt', async () => {
    const { data, response } = await openai.chat.completions.create({ model: E2E_TEST_MODEL, messages: [{ role: 'user', content: 'hello there' }], max_tokens: 12 }).withResponse();
    assert.equal(data.object, 'chat.completion');
    assert.equal(typeof data.choices[0]!.message.content, 'string');
    assert.ok(data.choices[0]!.message.content!.length > 0);
    assert.equal(response.headers.get('x-cocoon-e2e'), '1');
    const receipt = JSON.parse(response.headers.get('x-cocoon-receipt')!) as CocoonReceiptSummary;
    assert.equal(receipt.verified, true);
    assert.equal(receipt.status, 0);
    assert.ok(receipt.model.startsWith(E2E_TEST_MODEL));
    assert.ok(receipt.tokens_used.total > 0);
    assert.equal(receipt.tokens_used.total, data.usage?.total_tokens, "the receipt's tokens are the answer's usage");
    assert.ok(BigInt(receipt.cost_nanoton) > 0n);
    assert.equal(receipt.tee, 'fake_tdx');
    // The client runner kept the same receipt, verified, with the proxy's charge.
    const stored = await (await fetch(`${network.rootUrl}/v1/receipts/${receipt.request_id}`)).json() as { receipt: { verified: boolean } };
    assert.equal(stored.receipt.verified, true);
  });

  test('a streamed completion: SSE chunks as they come, then the verified receipt', async () => {
    const { data: stream, response } = await openai.chat.completions.create({
      model: E2E_TEST_MODEL, messages: [{ role: 'user', content: 'stream please' }], max_tokens: 12, stream: true, stream_options: { include_usage: true },
    }).withResponse();
    let content = '';
    let chunks = 0;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      chunks++;
      content += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    assert.ok(chunks >= 3, `${chunks} chunks`);
    assert.ok(content.length > 0);
    assert.equal(response.headers.get('x-cocoon-e2e'), '1');
    const receipt = await cocoonReceipt(response);
    assert.equal(receipt?.verified, true);
    assert.equal(receipt?.request_id, response.headers.get('x-cocoon-receipt-id'));
    assert.equal(receipt?.tokens_used.total, usage?.total_tokens);
  });

  test('the legacy completions endpoint goes end to end too', async () => {
    const { data, response } = await openai.completions.create({ model: E2E_TEST_MODEL, prompt: 'once upon a time', max_tokens: 8 }).withResponse();
    assert.equal(response.headers.get('x-cocoon-e2e'), '1');
    assert.ok(data.choices[0]!.text.length > 0);
  });

  test('models listing passes through in clear (no inference content)', async () => {
    const models = await openai.models.list();
    assert.ok(models.data.some((model) => model.id === E2E_TEST_MODEL));
  });
});
