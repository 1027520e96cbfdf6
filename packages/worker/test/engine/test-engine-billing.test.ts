/** End to end inside the worker: validator → TEST ENGINE → token counter, billing as the formula says. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MULTIPLIERS } from '@cocoon/protocol';
import { validateWorkerRequest } from '../../src/request/index.ts';
import { UsageTokenCounter } from '../../src/accounting/index.ts';
import { OpenAiHttpEngine, startTestEngine } from '../../src/engine/index.ts';

test('streamed chat is billed from the usage chunk the validator asked for', async () => {
  const server = await startTestEngine({ chunkCount: 50, chunkBytes: 128 });
  const engine = new OpenAiHttpEngine({ baseUrl: server.url });
  try {
    const request = { model: 'test/tiny-chat', messages: [{ role: 'user', content: 'a b c d e f' }], max_tokens: 40, stream: true };
    const validated = validateWorkerRequest({ method: 'POST', url: '/v1/chat/completions', body: Buffer.from(JSON.stringify(request)), modelBaseName: 'test/tiny-chat' });
    const response = await engine.forward({ path: '/v1/chat/completions', method: 'POST', headers: {}, body: validated.body, timeoutMs: 5000 });
    const counter = new UsageTokenCounter({ coefficient: 1500, multipliers: DEFAULT_MULTIPLIERS, pricePerToken: 20n });
    const out: Buffer[] = [];
    for await (const chunk of response.body) out.push(counter.transform(chunk));
    out.push(counter.flush());
    // prompt 6+4=10 (cached 3), completion min(40,50)=40 (reasoning 4).
    assert.deepEqual(counter.rawUsage, { promptTokens: 10, cachedTokens: 3, completionTokens: 40, reasoningTokens: 4 });
    // ×1.5: 7→10, 3→4, 36→54, 4→6.
    assert.deepEqual(counter.adjusted, { prompt: 10, cached: 4, completion: 54, reasoning: 6, total: 74 });
    const text = Buffer.concat(out).toString('utf8');
    const usageEvent = text.split('\n\n').find((event) => event.includes('"usage"'));
    assert.equal(JSON.parse(usageEvent!.slice(6)).usage.total_cost, 74 * 20);
  } finally {
    await engine.close();
    await server.close();
  }
});
