/**
 * System test of `cocoon dev`'s network: proxy, two workers, client and the test engine,
 * each its own process, driven with the official `openai` client. Checks answers
 * (streamed and not), the model listing, and that the proxy billed exactly the engine's
 * usage adjusted per §5 (coefficient 1000, multipliers 1×, 20 nanoTON/token, fee 19). With
 * `lightClient` the client serves the built page at /app/ (trusting the dev root), and
 * `POST /v1/e2e/collateral` answers a worker's quote with collateral that parses.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import OpenAI from 'openai';
import { adjustTokens, decodeBoxedAs, DEFAULT_MULTIPLIERS, fromBase64OrUndefined } from '@cocoon/protocol';
import { CertificateOid, findExtension, parseDcapCollateral, readCertificate } from '@cocoon/attestation';
import { startDevNetwork } from '../../src/index.ts';
import type { DevNetwork } from '../../src/index.ts';
import { ChildLogs, fetchJson, freePorts, waitFor } from './network-harness.ts';

interface EngineUsage {
  prompt_tokens: number;
  completion_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number };
  completion_tokens_details?: { reasoning_tokens?: number };
  total_cost?: number;
}

function expectedTotal(usage: EngineUsage): number {
  return adjustTokens({
    promptTokens: usage.prompt_tokens,
    cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
    completionTokens: usage.completion_tokens,
    reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
  }, 1000, DEFAULT_MULTIPLIERS).total;
}

describe('cocoon dev network (separate processes)', { timeout: 180_000 }, () => {
  const logs = new ChildLogs();
  let network: DevNetwork;
  let openai: OpenAI;
  const billed: number[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'cocoon-dev-network-'));

  before(async () => {
    const [clientHttp, proxyHttp, proxyWorker, proxyClient, workerHttp, engine] = await freePorts(6);
    network = await startDevNetwork({
      engine: 'test',
      dataDir,
      lightClient: true,
      ports: { clientHttp, proxyHttp, proxyWorker, proxyClient, workerHttp, engine },
      powDifficulty: 8,
      onLine: logs.onLine,
      readyTimeoutMs: 90_000,
    });
    openai = new OpenAI({ baseURL: network.baseUrl, apiKey: 'unused', maxRetries: 0 });
  });

  after(async () => {
    await network?.stop();
    rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
  });

  test('lists the served model with both workers', async () => {
    const models = await openai.models.list();
    const model = models.data.find((entry) => entry.id === 'test/tiny-chat') as unknown as { workers: Array<Record<string, number>> } | undefined;
    assert.ok(model, `model listed: ${JSON.stringify(models.data)}`);
    assert.equal(model.workers.length, 2);
    for (const worker of model.workers) {
      assert.equal(worker.coefficient, 1000);
      assert.equal(worker.price_per_token_nanoton, 20);
    }
  });

  test('answers a chat completion with usage and its cost', async () => {
    const answer = await openai.chat.completions.create({ model: 'test/tiny-chat', messages: [{ role: 'user', content: 'summarize this long post please' }] });
    assert.equal(answer.object, 'chat.completion');
    assert.ok(answer.choices[0]?.message.content);
    const usage = answer.usage as unknown as EngineUsage;
    assert.equal(usage.prompt_tokens, 5 + 4); // test engine: words + 4
    billed.push(expectedTotal(usage));
    assert.equal(usage.total_cost, expectedTotal(usage) * 20);
  });

  test('streams a chat completion chunk by chunk and bills the SSE usage', async () => {
    const stream = await openai.chat.completions.create({
      model: 'test/tiny-chat', messages: [{ role: 'user', content: 'translate to french' }], stream: true, stream_options: { include_usage: true },
    });
    let text = '';
    let usage: EngineUsage | undefined;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks += 1;
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage as unknown as EngineUsage;
    }
    assert.ok(chunks > 10, `got ${chunks} chunks`);
    assert.ok(text.length > 0);
    assert.ok(usage, 'usage arrived in the stream');
    assert.ok(expectedTotal(usage) > 0, 'streamed answers are billed (the reference bills 0)');
    billed.push(expectedTotal(usage));
  });

  test('passes tool definitions through and returns the tool call, billed (the reference rejects tools)', async () => {
    const answer = await openai.chat.completions.create({
      model: 'test/tiny-chat',
      messages: [{ role: 'user', content: 'what is the weather in Dubai' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }],
      tool_choice: 'auto',
    });
    const call = answer.choices[0]?.message.tool_calls?.[0];
    assert.ok(call && call.type === 'function', JSON.stringify(answer.choices[0]));
    assert.equal(call.function.name, 'get_weather');
    assert.equal(answer.choices[0]?.finish_reason, 'tool_calls');
    billed.push(expectedTotal(answer.usage as unknown as EngineUsage));
  });

  test('answers a legacy completion', async () => {
    const answer = await openai.completions.create({ model: 'test/tiny-chat', prompt: 'once upon a time', max_tokens: 5 });
    assert.equal(answer.usage?.completion_tokens, 5);
    billed.push(expectedTotal(answer.usage as unknown as EngineUsage));
  });

  test('an unknown model gets a clear 404 and the network keeps serving', async () => {
    await assert.rejects(
      openai.chat.completions.create({ model: 'no/such-model', messages: [{ role: 'user', content: 'hi' }] }),
      (error: unknown) => error instanceof OpenAI.APIError && error.status === 404 && /unknown model/.test(error.message),
    );
    const answer = await openai.chat.completions.create({ model: 'test/tiny-chat', messages: [{ role: 'user', content: 'still there' }] });
    billed.push(expectedTotal(answer.usage as unknown as EngineUsage));
  });

  test('malformed JSON gets a 400 from the client runner', async () => {
    const response = await fetch(`${network.baseUrl}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model": ' });
    assert.equal(response.status, 400);
    const body = (await response.json()) as { error: { code: string } };
    assert.equal(body.error.code, 'CCN_ERR_HTTP_BAD_JSON');
  });

  test('an unknown option is refused by the worker with its name', async () => {
    const response = await fetch(`${network.baseUrl}/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'test/tiny-chat', messages: [{ role: 'user', content: 'x' }], frobnicate: 1 }),
    });
    assert.equal(response.status, 400);
    assert.match(await response.text(), /unknown option 'frobnicate'/);
  });

  test('the proxy billed exactly the adjusted usage of every answer', async () => {
    const stats = await fetchJson(network.statsUrls.proxy!.replace('/stats', '/jsonstats'));
    const ledger = stats.ledger as Record<string, number>;
    const tokens = billed.reduce((sum, value) => sum + value, 0);
    assert.equal(ledger.tokens, tokens, logs.tail());
    assert.equal(ledger.client_paid_nanoton, tokens * 20);
    assert.equal(ledger.worker_earned_nanoton, tokens * 19);
    assert.equal(ledger.proxy_commission_nanoton, tokens);
    assert.equal(ledger.client_paid_nanoton, ledger.worker_earned_nanoton! + ledger.proxy_commission_nanoton!);
  });

  test('the client serves the light client at /app/, trusting the dev root on a test network', async () => {
    const page = network.lightClient;
    assert.ok(page?.built, `the page was built (${page && !page.built ? page.reason : 'not requested'})`);
    assert.equal(page.url, `${new URL(network.baseUrl).origin}/app/`);
    const index = await fetch(page.url);
    assert.equal(index.status, 200);
    assert.match(index.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(index.headers.get('content-security-policy') ?? '', /connect-src 'self'/);
    assert.match(await index.text(), /<html/i);
    const config = (await (await fetch(`${page.url}config.json`)).json()) as { trust: { devRootDer: string }; networkIsTest: boolean };
    const rootPem = readFileSync(join(dataDir, 'attestation', 'root-ca.pem'), 'utf8');
    assert.equal(config.trust.devRootDer, Buffer.from(new X509Certificate(rootPem).raw).toString('base64'));
    assert.equal(config.networkIsTest, true);
    assert.equal((await fetch(`${page.url}app.js`, { method: 'HEAD' })).headers.get('content-type'), 'text/javascript; charset=utf-8');
  });

  test('POST /v1/e2e/collateral answers a worker quote with the dev collateral, which parses', async () => {
    let evidence: string | undefined;
    await waitFor(async () => { // the workers' e2e keys are listed once the proxy has them
      const listing = (await (await fetch(`${network.baseUrl}/e2e/workers?model=test/tiny-chat`)).json()) as { workers?: Array<{ evidence: string }> };
      evidence = listing.workers?.[0]?.evidence;
      return evidence !== undefined;
    }, 30_000, 'an e2e worker listed');
    assert.ok(evidence);
    const certificate = decodeBoxedAs(Buffer.from(fromBase64OrUndefined(evidence)!), 'ext.e2eEvidence').certificate;
    const quote = findExtension(readCertificate(Buffer.from(certificate)), CertificateOid.tdxQuote)?.value;
    assert.ok(quote, 'the worker certificate carries a TDX quote');
    const response = await fetch(`${network.baseUrl}/e2e/collateral`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: quote });
    assert.equal(response.status, 200, await response.clone().text());
    const collateral = parseDcapCollateral(await response.json());
    const saved = JSON.parse(readFileSync(join(dataDir, 'attestation', 'collateral.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(collateral.tcb_info, saved.tcb_info, "the dev authority's collateral");
    const garbage = await fetch(`${network.baseUrl}/e2e/collateral`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: 'not a quote' });
    assert.equal(garbage.status, 400);
  });
});
