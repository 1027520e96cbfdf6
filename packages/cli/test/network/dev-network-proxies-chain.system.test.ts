/**
 * System test of `cocoon dev --proxies 2 --workers 2` ON CHAIN (docs/protocol.md §1.2): two proxies with
 * their own ports, keys, ledgers and contracts, registered on the dev root; both workers serve both
 * proxies (discovered from the root, proxy_cnt 2); the client discovers both from the root and keeps a
 * client contract at each. Two concurrent requests are answered, one through each proxy; `cocoon dev
 * settle` per proxy then shows client paid = worker earned + commission to the nanoTON, and the totals
 * add up to the §5 price of every token the engine reported.
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
import { ChildLogs, fetchJson, freePorts, waitFor } from './network-harness.ts';

const run = promisify(execFile);

describe('cocoon dev --proxies 2 --workers 2 on a local TON chain', { timeout: 400_000 }, () => {
  const logs = new ChildLogs();
  let network: DevNetwork;
  let directory: string;

  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'cocoon-dev-proxies-'));
    const [clientHttp, proxyHttp, proxyWorker, proxyClient, workerHttp, engine, chain, keyManagerHttp, keyManagerRpc] = await freePorts(9);
    network = await startDevNetwork({
      engine: 'test', proxies: 2, workers: 2, attestation: 'fake_tdx', // the topology, not attestation, is under test here
      ports: { clientHttp, proxyHttp, proxyWorker, proxyClient, workerHttp, engine, chain, keyManagerHttp, keyManagerRpc },
      powDifficulty: 8, onLine: logs.onLine, readyTimeoutMs: 240_000,
      chain: { directory, saveStateIntervalMs: 60_000, pollIntervalMs: 200 },
    });
  });

  after(async () => {
    await network?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  test('two requests answered through both proxies; each proxy settles, the nanoTON add up', async () => {
    try {
      assert.deepEqual(network.proxies.map((proxy) => proxy.name), ['proxy', 'proxy-2']);
      const clientStats = network.statsUrls.client!.replace(/\/stats$/, '/jsonstats');
      await waitFor(async () => ((await fetchJson(clientStats)).proxy_connections as Array<{ is_ready: boolean }>).filter((connection) => connection.is_ready).length === 2, 120_000, 'the client to reach both registered proxies');
      for (const name of ['worker-1', 'worker-2']) {
        const stats = network.statsUrls[name]!.replace(/\/stats$/, '/jsonstats');
        await waitFor(async () => ((await fetchJson(stats)).proxies as Array<{ state: string }>).filter((proxy) => proxy.state === 'ready').length === 2, 120_000, `${name} to serve both proxies`);
      }
      const openai = new OpenAI({ baseURL: network.baseUrl, apiKey: 'unused', maxRetries: 0 });
      await waitFor(async () => (await openai.models.list()).data.length > 0, 60_000, 'the workers to be listed');
      const answers = await Promise.all([0, 1].map((index) => openai.chat.completions.create({
        model: 'test/tiny-chat', messages: [{ role: 'user', content: `request number ${index} please` }],
      })));
      let expected = 0;
      for (const answer of answers) {
        assert.ok(answer.usage, 'engine usage reaches the app');
        expected += adjustTokens({
          promptTokens: answer.usage.prompt_tokens, cachedTokens: answer.usage.prompt_tokens_details?.cached_tokens ?? 0,
          completionTokens: answer.usage.completion_tokens, reasoningTokens: answer.usage.completion_tokens_details?.reasoning_tokens ?? 0,
        }, 1000, DEFAULT_MULTIPLIERS).total;
      }
      const client = await fetchJson(clientStats) as { proxies: Array<{ sc_address: string; proxy_sc_address: string }> };
      assert.equal(new Set(client.proxies.map((proxy) => proxy.proxy_sc_address)).size, 2, 'a client contract at each proxy');
      let tokens = 0;
      for (const proxy of network.proxies) {
        const port = new URL(network.statsUrls[proxy.name]!).port;
        const { stdout } = await run(process.execPath, [COCOON_BIN_PATH, 'dev', 'settle', '--proxy-http-port', port, '--admin-token-file', network.adminTokenFiles[proxy.name]!], { timeout: 120_000 });
        const settled = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, number>;
        assert.ok(settled.tokens! > 0, `${proxy.name} answered one of the requests`);
        assert.equal(settled.client_paid_nanoton, settled.tokens! * 20);
        assert.equal(settled.client_paid_nanoton, settled.worker_earned_nanoton! + settled.proxy_commission_nanoton!);
        tokens += settled.tokens!;
      }
      assert.equal(tokens, expected);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${logs.tail(80)}`, { cause: error });
    }
  });
});
