/**
 * System test of §5 billing with the root contract's parameters on a local TON chain: the dev
 * root is deployed with non-1× multipliers (prompt 1.5×, cached 0.5×, completion 2×,
 * reasoning 1×) and another price (30 / fee 27). After N requests to the test engine (known
 * usage, cached and reasoning tokens included), `cocoon dev settle` equals the engine's usage
 * adjusted by the root's multipliers at the root's price, and the `usage.total_cost` the app
 * saw adds up to what the client paid.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { DEV_WORKER_OWNER_ADDRESS, adjustTokens, createLogger, type PriceMultipliers } from '@cocoon/protocol';
import { LocalChainFaucet, createChain, type Chain } from '@cocoon/ton';
import { startTestEngine, type TestEngine } from '@cocoon/worker';
import { COCOON_BIN_PATH, type DevChildProcess } from '../../src/index.ts';
import { bootstrapDevChain } from '../../src/dev/dev-chain-bootstrap.ts';
import { ChildLogs, freePorts, startRole } from './network-harness.ts';

const run = promisify(execFile);
const MODEL = 'test/tiny-chat';
const MULTIPLIERS: PriceMultipliers = { prompt: 15_000, cached: 5_000, completion: 20_000, reasoning: 10_000 };
const PRICE = 30;
const WORKER_FEE = 27;

/** The usage fields the app sees: the engine's counts plus the costs the worker injected (§5.1). */
type BilledUsage = OpenAI.CompletionUsage & { total_cost?: number };

describe('billing with the root contract prices and multipliers on a local TON chain', { timeout: 180_000 }, () => {
  const logs = new ChildLogs();
  const children = new Map<string, DevChildProcess>();
  let directory: string;
  let engine: TestEngine;
  let chain: Chain;
  let openai: OpenAI;
  let proxyHttpPort: number;

  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'cocoon-root-pricing-'));
    engine = await startTestEngine({ host: '127.0.0.1', port: 0 });
    const [chainPort, proxyHttp, proxyWorker, proxyClient, workerHttp, clientHttp] = await freePorts(6);
    proxyHttpPort = proxyHttp!;
    children.set('chain', await startRole('chain', 'chain', ['--host', '127.0.0.1', '--port', `${chainPort}`, '--data-dir', join(directory, 'chain')], logs));
    const url = `http://127.0.0.1:${chainPort}`;
    const endpoint = `${url}/jsonRPC`;
    chain = await createChain({ kind: 'toncenter', endpoint });
    const boot = await bootstrapDevChain({
      chain, faucet: new LocalChainFaucet({ url }), directory, workers: 1, workerOwnerAddress: DEV_WORKER_OWNER_ADDRESS, logger: createLogger('test', { level: 'error' }),
      pricing: {
        pricePerToken: BigInt(PRICE), workerFeePerToken: BigInt(WORKER_FEE),
        promptTokensPriceMultiplier: MULTIPLIERS.prompt, cachedTokensPriceMultiplier: MULTIPLIERS.cached,
        completionTokensPriceMultiplier: MULTIPLIERS.completion, reasoningTokensPriceMultiplier: MULTIPLIERS.reasoning,
      },
    });
    const common = ['--ton-endpoint', endpoint, '--root-contract-address', boot.rootAddress, '--ton-poll-interval-ms', '200'];
    children.set('proxy', await startRole('proxy', 'proxy', ['--host', '127.0.0.1', '--client-port', `${proxyClient}`, '--worker-port', `${proxyWorker}`,
      '--http-port', `${proxyHttp}`, '--pow-difficulty', '8', '--admin-token-file', join(directory, 'proxy-admin.token'), ...common,
      '--node-wallet-key-file', boot.keys.proxyWallet, '--proxy-key-file', boot.keys.proxyKey, '--db-path', join(directory, 'proxy-db'), '--save-state-interval-ms', '500'], logs));
    children.set('worker', await startRole('worker', 'worker', ['--http-port', `${workerHttp}`, '--proxy-address', `127.0.0.1:${proxyWorker}`,
      '--engine-url', engine.url, ...common, '--node-wallet-key-file', boot.keys.workerWallets[0]!, '--owner-address', DEV_WORKER_OWNER_ADDRESS,
      '--worker-state-dir', join(directory, 'worker'), '--admin-token-file', join(directory, 'worker-admin.token')], logs));
    children.set('client', await startRole('client', 'client', ['--http-host', '127.0.0.1', '--http-port', `${clientHttp}`, '--proxy-address', `127.0.0.1:${proxyClient}`,
      ...common, '--node-wallet-key-file', boot.keys.clientWallet, '--admin-token-file', join(directory, 'client-admin.token')], logs));
    openai = new OpenAI({ baseURL: `http://127.0.0.1:${clientHttp}/v1`, apiKey: 'unused', maxRetries: 0 });
  });

  after(async () => {
    await Promise.all([...children.values()].map((child) => child.stop(3000)));
    await chain?.close();
    await engine?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  /** One request (streamed or not); the usage the app sees. */
  async function ask(index: number): Promise<BilledUsage> {
    const stream = index % 2 === 1;
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: `request number ${index}: ${'many words '.repeat(index + 2)}` }];
    if (stream) {
      const answer = await openai.chat.completions.create({ model: MODEL, messages, stream: true, stream_options: { include_usage: true } });
      let usage: BilledUsage | undefined;
      for await (const chunk of answer) usage = (chunk.usage as BilledUsage | null | undefined) ?? usage;
      return usage ?? assert.fail(`no usage in the stream\n${logs.tail()}`);
    }
    const answer = await openai.chat.completions.create({ model: MODEL, messages });
    return (answer.usage as BilledUsage | undefined) ?? assert.fail(`no usage\n${logs.tail()}`);
  }

  test('settle and the app-visible total_cost follow the root, not the dev params', async (t) => {
    let expectedTokens = 0;
    let unadjustedTokens = 0;
    let appTotalCost = 0;
    for (let index = 0; index < 4; index++) {
      const usage = await ask(index);
      const counts = {
        promptTokens: usage.prompt_tokens, cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
        completionTokens: usage.completion_tokens, reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
      };
      assert.ok(counts.cachedTokens > 0 && counts.reasoningTokens > 0, `the test engine reports every category: ${JSON.stringify(usage)}`);
      const adjusted = adjustTokens(counts, 1000, MULTIPLIERS).total;
      assert.equal(usage.total_cost, adjusted * PRICE, `request ${index}: the app sees the cost at the root's price and multipliers`);
      expectedTokens += adjusted;
      unadjustedTokens += usage.prompt_tokens + usage.completion_tokens;
      appTotalCost += usage.total_cost!;
    }
    assert.notEqual(expectedTokens, unadjustedTokens, 'the multipliers change the bill');

    const { stdout } = await run(process.execPath, [COCOON_BIN_PATH, 'dev', 'settle', '--proxy-http-port', `${proxyHttpPort}`, '--admin-token-file', join(directory, 'proxy-admin.token')], { timeout: 120_000 });
    const settled = JSON.parse(stdout.trim()) as Record<string, number>;
    t.diagnostic(`settled ${JSON.stringify(settled)}; engine tokens ${unadjustedTokens}`);
    assert.equal(settled.tokens, expectedTokens, 'the chain holds the tokens adjusted by the root multipliers');
    assert.equal(settled.client_paid_nanoton, expectedTokens * PRICE);
    assert.equal(settled.worker_earned_nanoton, expectedTokens * WORKER_FEE);
    assert.equal(settled.client_paid_nanoton, settled.worker_earned_nanoton! + settled.proxy_commission_nanoton!);
    assert.equal(appTotalCost, settled.client_paid_nanoton, 'what the app was told it costs is what the client paid');
  });
});
