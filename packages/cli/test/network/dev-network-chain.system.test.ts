/**
 * System test of `cocoon dev` ON CHAIN: a `cocoon chain` process with the real contracts,
 * a dev root, funded wallets, proxy/worker/client contracts deployed by the runners
 * themselves (the client authorizes the long way, through a register transaction). After
 * N requests, `cocoon dev settle` forces charges and payouts on chain: the printed JSON
 * equals the §5 prices of the tokens the engine reported, client paid = worker earned +
 * proxy commission to the nanoTON, and the chain agrees with the proxy's ledger.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { adjustTokens, DEFAULT_MULTIPLIERS } from '@cocoon/protocol';
import { COCOON_BIN_PATH, startDevNetwork } from '../../src/index.ts';
import type { DevNetwork } from '../../src/index.ts';
import { ChildLogs, fetchJson, freePorts } from './network-harness.ts';

const run = promisify(execFile);

describe('cocoon dev network on a local TON chain', { timeout: 300_000 }, () => {
  const logs = new ChildLogs();
  let network: DevNetwork;
  let openai: OpenAI;
  let directory: string;
  let proxyHttpPort: number;

  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'cocoon-dev-chain-'));
    const [clientHttp, proxyHttp, proxyWorker, proxyClient, workerHttp, engine, chain] = await freePorts(7);
    proxyHttpPort = proxyHttp!;
    network = await startDevNetwork({
      engine: 'test',
      ports: { clientHttp, proxyHttp, proxyWorker, proxyClient, workerHttp, engine, chain },
      powDifficulty: 8,
      onLine: logs.onLine,
      readyTimeoutMs: 180_000,
      chain: { directory, saveStateIntervalMs: 60_000, pollIntervalMs: 200 },
    });
    openai = new OpenAI({ baseURL: network.baseUrl, apiKey: 'unused', maxRetries: 0 });
  });

  after(async () => {
    await network?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  test('settles N requests on chain at the §5 prices, conserving every nanoTON', async () => {
    assert.ok(network.chain?.rootAddress, 'runs on chain');
    let expected = 0;
    for (let index = 0; index < 4; index++) {
      const answer = await openai.chat.completions.create({
        model: 'test/tiny-chat', messages: [{ role: 'user', content: `request number ${index} please` }], stream: index % 2 === 1,
        ...(index % 2 === 1 ? { stream_options: { include_usage: true } } : {}),
      });
      let usage: OpenAI.CompletionUsage | undefined | null;
      if (Symbol.asyncIterator in answer) {
        for await (const chunk of answer) usage = chunk.usage ?? usage;
      } else {
        usage = answer.usage;
      }
      assert.ok(usage, 'engine usage reaches the app');
      expected += adjustTokens({
        promptTokens: usage.prompt_tokens, cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
        completionTokens: usage.completion_tokens, reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
      }, 1000, DEFAULT_MULTIPLIERS).total;
    }
    const { stdout } = await run(process.execPath, [COCOON_BIN_PATH, 'dev', 'settle', '--proxy-http-port', `${proxyHttpPort}`, '--admin-token-file', network.adminTokenFiles.proxy!], { timeout: 120_000 });
    const lines = stdout.trim().split('\n');
    assert.equal(lines.length, 1, 'one JSON line');
    const settled = JSON.parse(lines[0]!) as Record<string, number>;
    assert.deepEqual(Object.keys(settled), ['tokens', 'client_paid_nanoton', 'worker_earned_nanoton', 'proxy_commission_nanoton']);
    assert.equal(settled.tokens, expected);
    assert.equal(settled.client_paid_nanoton, expected * 20);
    assert.equal(settled.worker_earned_nanoton, expected * 19);
    assert.equal(settled.client_paid_nanoton, settled.worker_earned_nanoton! + settled.proxy_commission_nanoton!);
    const stats = await fetchJson(`http://127.0.0.1:${proxyHttpPort}/jsonstats`) as { ledger: Record<string, number>; save_state: { committed: number } };
    assert.equal(stats.ledger.tokens, expected);
    assert.ok(stats.save_state.committed >= 2, 'the ledger was anchored on chain');
  });
});
