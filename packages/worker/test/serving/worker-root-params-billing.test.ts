/**
 * The worker bills with the root contract's parameters (§5), read per request: after a root
 * change (a RootConfigWatcher accepting a higher version) the next request's tokensUsed use
 * the root's four multipliers and its `usage.total_cost` the root's price, while a request
 * already running keeps the params it started with.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Address, beginCell } from '@ton/core';
import { createLogger, decodeHttpResponse, encodeHttpRequest, type TlObject } from '@cocoon/protocol';
import { RootConfigWatcher, RootNetworkParamsSource, devCocoonParams, type Chain, type RootConfig } from '@cocoon/ton';
import { WorkerQueryHandler } from '../../src/serving/worker-query-handler.ts';
import { WorkerStats } from '../../src/serving/worker-stats.ts';
import type { EngineRequest, EngineResponse, InferenceEngine } from '../../src/engine/index.ts';

/** prompt 34 (11 cached), completion 100 (10 reasoning): raw 23 / 11 / 90 / 10. */
const USAGE = { prompt_tokens: 34, prompt_tokens_details: { cached_tokens: 11 }, completion_tokens: 100, completion_tokens_details: { reasoning_tokens: 10 } };

const code = beginCell().storeStringTail('code').endCell();
const devRoot: RootConfig = {
  owner: new Address(0, Buffer.alloc(32, 1)), version: 5, params: devCocoonParams({ proxyCode: code, workerCode: code, clientCode: code }),
  proxyHashes: new Set(), workerHashes: new Set(), modelHashes: new Set(), registeredProxies: [], lastProxySeqno: 0,
  registeredPublicKeys: [], keyManager: undefined, verifiedProxyKeys: new Set(), verifiedWorkerKeys: new Set(), verifiedKeyManagerKeys: new Set(),
};
/** The same root after an admin change: prompt 1.5×, cached 0.5×, completion 2×, reasoning 1×, price 30. */
const changedRoot: RootConfig = {
  ...devRoot, version: 6,
  params: {
    ...devRoot.params, paramsVersion: 2, pricePerToken: 30n, workerFeePerToken: 27n,
    promptTokensPriceMultiplier: 15_000, cachedTokensPriceMultiplier: 5_000, completionTokensPriceMultiplier: 20_000, reasoningTokensPriceMultiplier: 10_000,
  },
};

/** Test double: answers USAGE once `release` is called (or at once when no gate is set). */
class GatedEngine implements InferenceEngine {
  gate: Promise<void> | undefined;
  started: (() => void) | undefined;
  async forward(_request: EngineRequest): Promise<EngineResponse> {
    this.started?.();
    await this.gate;
    return { status: 200, headers: { 'content-type': 'application/json' }, body: (async function* () { yield Buffer.from(JSON.stringify({ choices: [], usage: USAGE })); })() };
  }
  async health() { return { ok: true, models: [] }; }
  async close() {}
}

async function rootWatcher(): Promise<{ watcher: RootConfigWatcher; change: () => Promise<void> }> {
  let answer = devRoot;
  const watcher = await RootConfigWatcher.open({ chain: {} as Chain, rootAddress: devRoot.owner, initial: devRoot, read: async () => answer });
  return { watcher, change: async () => { answer = changedRoot; await watcher.refresh(); } };
}

function handlerWith(engine: InferenceEngine, watcher: RootConfigWatcher): WorkerQueryHandler {
  const now = () => 1_700_000_000_000;
  return new WorkerQueryHandler({
    engine, modelBaseName: 'Qwen/Qwen3-8B', params: new RootNetworkParamsSource(watcher), maxActiveRequests: 4,
    stats: new WorkerStats(now), logger: createLogger('worker', { level: 'error' }), now,
  });
}

const query: TlObject = {
  _: 'proxy.runQueryEx',
  query: encodeHttpRequest({
    method: 'POST', url: '/v1/chat/completions', httpVersion: 'HTTP/1.1', headers: [['Content-Type', 'application/json']],
    payload: Buffer.from(JSON.stringify({ model: 'Qwen/Qwen3-8B', messages: [{ role: 'user', content: 'hi' }] })),
  }),
  signed_payment: { _: 'proxy.signedPaymentEmpty' }, coefficient: 1000n, timeout: 10, request_id: Buffer.alloc(32, 7), flags: 1, enable_debug: false,
};

interface Billed { tokens: bigint[]; totalCost: number; promptCost: number; completionCost: number }

async function serve(handler: WorkerQueryHandler): Promise<Billed> {
  const sent: TlObject[] = [];
  await handler.serve(query, (message) => sent.push(message));
  const answer = sent[sent.length - 1]!;
  const used = (answer.final_info as TlObject).tokens_used as TlObject;
  const body = JSON.parse(decodeHttpResponse(answer.answer as Buffer).payload.toString()) as { usage: { total_cost: number; prompt_total_cost: number; completion_total_cost: number } };
  return {
    tokens: [used.prompt_tokens_used, used.cached_tokens_used, used.completion_tokens_used, used.reasoning_tokens_used, used.total_tokens_used] as bigint[],
    totalCost: body.usage.total_cost, promptCost: body.usage.prompt_total_cost, completionCost: body.usage.completion_total_cost,
  };
}

test('after a root change the next request is billed with the root multipliers and price', async () => {
  const { watcher, change } = await rootWatcher();
  const handler = handlerWith(new GatedEngine(), watcher);
  const before = await serve(handler);
  assert.deepEqual(before.tokens, [23n, 11n, 90n, 10n, 134n], 'dev root: 1× multipliers');
  assert.equal(before.totalCost, 134 * 20);

  await change();
  const after = await serve(handler);
  // §5: floor(23 × 1.5) = 34, floor(11 × 0.5) = 5, 90 × 2 = 180, 10 × 1 = 10.
  assert.deepEqual(after.tokens, [34n, 5n, 180n, 10n, 229n], 'the root multipliers');
  assert.equal(after.promptCost, (34 + 5) * 30);
  assert.equal(after.completionCost, (180 + 10) * 30);
  assert.equal(after.totalCost, 229 * 30, 'the root price');
  watcher.close();
});

test('a request keeps the params in force when it started, even if the root changes meanwhile', async () => {
  const { watcher, change } = await rootWatcher();
  const engine = new GatedEngine();
  let release!: () => void;
  engine.gate = new Promise((resolve) => { release = resolve; });
  const started = new Promise<void>((resolve) => { engine.started = resolve; });
  const handler = handlerWith(engine, watcher);
  const running = serve(handler);
  await started;
  await change();
  release();
  const billed = await running;
  assert.deepEqual(billed.tokens, [23n, 11n, 90n, 10n, 134n]);
  assert.equal(billed.totalCost, 134 * 20);
  engine.gate = undefined;
  assert.equal((await serve(handler)).totalCost, 229 * 30, 'the next request sees the change');
  watcher.close();
});
