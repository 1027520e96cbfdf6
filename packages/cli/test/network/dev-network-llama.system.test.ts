/**
 * System test of the dev network on the DEFAULT engine: embedded llama.cpp in the worker serving
 * the generated tiny random-weights GGUF (offline, threads 1, off chain). One streamed and one
 * non-streamed chat completion go client → proxy → worker; the usage is real (what llama.cpp
 * counted, as the worker's /jsonstats shows) and the proxy billed exactly it. Also: a llama worker
 * whose file does not match --model-identity exits 1 with CCN_ERR_MODEL_MISMATCH.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { adjustTokens, createLogger, DEFAULT_MULTIPLIERS } from '@cocoon/protocol';
import { TINY_GGUF_LABEL } from '@cocoon/worker';
import { COCOON_BIN_PATH, startDevNetwork } from '../../src/index.ts';
import type { DevNetwork } from '../../src/index.ts';
import { ChildLogs, fetchJson, freePorts } from './network-harness.ts';

interface LlamaStatus {
  engine: string;
  engine_url: string | null;
  model: string;
  actual_model: string;
  llama: { promptTokens: number; completionTokens: number; threads: number; loadMs: number; completionTokensPerSecond: number; requests: number };
}

const billedTotal = (usage: OpenAI.CompletionUsage): number => adjustTokens({
  promptTokens: usage.prompt_tokens, cachedTokens: usage.prompt_tokens_details?.cached_tokens ?? 0, completionTokens: usage.completion_tokens, reasoningTokens: 0,
}, 1000, DEFAULT_MULTIPLIERS).total;

describe('cocoon dev on embedded llama.cpp (tiny generated GGUF, off chain)', { timeout: 120_000 }, () => {
  const logs = new ChildLogs();
  let directory: string;
  let network: DevNetwork;
  let openai: OpenAI;
  let workerStats: string;
  const usages: OpenAI.CompletionUsage[] = [];
  const workerStatus = async (): Promise<LlamaStatus> => (await fetchJson(workerStats)).status as LlamaStatus;

  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'cocoon-dev-llama-'));
    const [clientHttp, proxyHttp, proxyWorker, proxyClient, workerHttp] = await freePorts(5);
    network = await startDevNetwork({
      engine: 'llama', dataDir: join(directory, 'data'), modelsDir: join(directory, 'empty-cache'), llamaThreads: 1, llamaGpu: false,
      workers: 1, ports: { clientHttp, proxyHttp, proxyWorker, proxyClient, workerHttp }, powDifficulty: 8, onLine: logs.onLine, readyTimeoutMs: 60_000,
      logger: createLogger('dev', { write: () => {} }),
    });
    openai = new OpenAI({ baseURL: network.baseUrl, apiKey: 'unused', maxRetries: 0 });
    workerStats = network.statsUrls['worker-1']!.replace('/stats', '/jsonstats');
  });

  after(async () => {
    await network?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  test('the worker advertises the tiny model, and /jsonstats says what it is', async () => {
    const models = await openai.models.list();
    assert.ok(models.data.some((entry) => entry.id === 'tiny-random'), JSON.stringify(models.data));
    const status = await workerStatus();
    assert.equal(status.engine, 'llama');
    assert.equal(status.engine_url, null);
    assert.equal(status.actual_model, network.model?.identity);
    assert.match(status.model, /^tiny-random@generated:[0-9a-f]{64} /);
    assert.ok(status.model.includes(TINY_GGUF_LABEL), status.model);
    assert.equal(status.llama.threads, 1);
  });

  test('a non-streamed chat completion carries the usage llama.cpp counted', async () => {
    const before = await workerStatus();
    const answer = await openai.chat.completions.create({ model: 'tiny-random', messages: [{ role: 'user', content: 'hello world' }], max_tokens: 12, temperature: 0 });
    assert.equal(answer.object, 'chat.completion');
    const usage = answer.usage!;
    assert.ok(usage.completion_tokens > 0 && usage.completion_tokens <= 12, JSON.stringify(usage));
    const after = await workerStatus();
    assert.equal(usage.prompt_tokens, after.llama.promptTokens - before.llama.promptTokens, 'prompt tokens = what the engine reported');
    assert.equal(usage.completion_tokens, after.llama.completionTokens - before.llama.completionTokens);
    usages.push(usage);
  });

  test('a streamed chat completion arrives in chunks and its usage is real', async () => {
    const before = await workerStatus();
    const stream = await openai.chat.completions.create({ model: 'tiny-random', messages: [{ role: 'user', content: 'the model answer' }], max_tokens: 16, temperature: 0, stream: true, stream_options: { include_usage: true } });
    let chunks = 0;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      chunks += 1;
      if (chunk.usage) usage = chunk.usage;
    }
    assert.ok(usage, 'usage arrived in the stream');
    assert.ok(usage.completion_tokens > 0 && chunks >= usage.completion_tokens, `${chunks} chunks for ${usage.completion_tokens} tokens`);
    const after = await workerStatus();
    assert.equal(usage.prompt_tokens, after.llama.promptTokens - before.llama.promptTokens);
    assert.equal(usage.completion_tokens, after.llama.completionTokens - before.llama.completionTokens);
    usages.push(usage);
    const { llama } = after;
    process.stderr.write(`# llama (tiny GGUF, threads 1): load ${llama.loadMs} ms, ${llama.completionTokensPerSecond} completion tokens/s over ${llama.requests} requests\n`);
  });

  test('the proxy billed exactly the adjusted engine usage', async () => {
    const ledger = (await fetchJson(network.statsUrls.proxy!.replace('/stats', '/jsonstats'))).ledger as Record<string, number>;
    const tokens = usages.reduce((sum, usage) => sum + billedTotal(usage), 0);
    assert.ok(tokens > 0);
    assert.equal(ledger.tokens, tokens, logs.tail());
    assert.equal(ledger.client_paid_nanoton, tokens * 20);
  });

  test('a llama worker whose file does not match --model-identity exits 1 with CCN_ERR_MODEL_MISMATCH', async () => {
    const [port] = await freePorts(1);
    const child = spawn(process.execPath, [COCOON_BIN_PATH, 'worker', '--engine', 'llama', '--model-path', network.model!.path,
      '--model-identity', `tiny-random@generated:${'0'.repeat(64)}`, '--llama-gpu', 'false', '--proxy-address', '127.0.0.1:1', '--http-port', `${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 1, stderr);
    assert.match(stderr, /CCN_ERR_MODEL_MISMATCH/);
    assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
  });
});
