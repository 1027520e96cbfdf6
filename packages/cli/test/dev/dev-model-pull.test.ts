/**
 * `cocoon dev`'s real-model offer against a local Hugging-Face-like server: online + --pull-model
 * pulls the GGUF (progress on stderr, SHA-256 checked against the server's X-Linked-Etag) and serves
 * it; a hash mismatch, an offline base (the probe gives up fast), a declined TTY question and a
 * non-terminal without the flag all fall back to the generated tiny model with the reason in the
 * one warning line. Nothing here reaches the real network.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@cocoon/protocol';
import { encodeTinyGguf, TINY_GGUF_LABEL } from '@cocoon/worker';
import { startModelFileServer, type ModelFileServer } from '@cocoon/test-support';
import { resolveDevLlamaModel } from '../../src/dev/dev-llama-model.ts';
import { DEV_PULL_MODEL_SOURCE, offerDevModelPull, probeDownloadBase } from '../../src/dev/dev-model-pull.ts';
import type { DevModelPullOptions } from '../../src/dev/dev-model-pull.ts';
import { devCommandOptionsSchema, devModelPullOptions } from '../../src/commands/dev-command.ts';

const FILE_NAME = DEV_PULL_MODEL_SOURCE.split('/').at(-1)!;
const GGUF = encodeTinyGguf({ seed: 7, vocab: [' pulled'] }).file;
const SHA = createHash('sha256').update(GGUF).digest('hex');
const COMMIT = 'c'.repeat(40);

interface Captured {
  logs: string[];
  lines: string[];
  raw: string[];
}

function capture(): Captured & { logger: ReturnType<typeof createLogger>; io: Pick<DevModelPullOptions, 'line' | 'write'> } {
  const logs: string[] = [];
  const lines: string[] = [];
  const raw: string[] = [];
  return {
    logs, lines, raw,
    logger: createLogger('dev', { level: 'info', write: (line) => logs.push(line) }),
    io: { line: (text) => lines.push(text), write: (text) => raw.push(text) },
  };
}

describe('cocoon dev: pulling a real model', () => {
  let good: ModelFileServer;
  let lying: ModelFileServer;
  let directory: string;
  let counter = 0;
  const freshDirs = () => {
    counter += 1;
    return { modelsDir: join(directory, `models-${counter}`), dataDir: join(directory, `data-${counter}`) };
  };
  const online = async () => true;

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'cocoon-dev-pull-'));
    good = await startModelFileServer({ files: { [FILE_NAME]: GGUF }, linkedEtag: SHA, repoCommit: COMMIT });
    lying = await startModelFileServer({ files: { [FILE_NAME]: GGUF }, linkedEtag: 'e'.repeat(64) });
  });
  after(async () => {
    await good.close();
    await lying.close();
    await rm(directory, { recursive: true, force: true });
  });

  test('online with --pull-model (not a terminal): pulled with plain progress lines, verified, chosen; the next start finds it in the cache', async () => {
    const out = capture();
    const dirs = freshDirs();
    const model = await resolveDevLlamaModel({ ...dirs, logger: out.logger, pull: { mode: 'yes', baseUrl: good.baseUrl, isTerminal: false, probe: online, ...out.io } });
    assert.equal(model.origin, 'pulled');
    assert.equal(model.path, join(dirs.modelsDir, 'Qwen', 'Qwen2.5-0.5B-Instruct-GGUF', 'main', FILE_NAME));
    assert.equal(model.identity, `Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m@${COMMIT}:${SHA}`);
    assert.equal(model.label, undefined);
    assert.ok(out.lines.some((line) => /^download .*100\.0%/.test(line)), out.lines.join('\n'));
    assert.ok(out.lines.some((line) => line.includes('sha256 verified')), out.lines.join('\n'));
    assert.deepEqual(out.raw, [], 'no terminal redraws in a log');
    assert.equal(out.logs.filter((line) => line.includes('NO MODEL AVAILABLE')).length, 0);
    const requests = good.requests.length;
    const again = await resolveDevLlamaModel({ ...dirs, logger: out.logger, pull: { mode: 'yes', baseUrl: good.baseUrl, probe: async () => assert.fail('no probe with a cached model') } });
    assert.equal(again.origin, 'cache');
    assert.equal(again.identity, model.identity);
    assert.equal(good.requests.length, requests, 'nothing downloaded again');
  });

  test('on a terminal the question is asked; yes pulls with a bar redrawn in place', async () => {
    const out = capture();
    const questions: string[] = [];
    const outcome = await offerDevModelPull({
      mode: 'ask', baseUrl: good.baseUrl, isTerminal: true, probe: online, ...out.io,
      prompt: async (question) => {
        questions.push(question);
        return true;
      },
    }, freshDirs().modelsDir);
    assert.equal(outcome.pulled, true);
    assert.equal(questions.length, 1);
    assert.match(questions[0]!, /Qwen2\.5-0\.5B-Instruct Q4_K_M.*\[y\/N\] $/);
    assert.ok(out.raw.some((text) => text.startsWith('\r\x1b[2K[') && text.includes('100.0%')), JSON.stringify(out.raw));
    assert.equal(out.raw.at(-1), '\n', 'the bar line is ended');
  });

  test('a SHA-256 mismatch: a clear reason, the partial file deleted, the tiny model served', async () => {
    const out = capture();
    const dirs = freshDirs();
    const model = await resolveDevLlamaModel({ ...dirs, logger: out.logger, pull: { mode: 'yes', baseUrl: lying.baseUrl, isTerminal: false, probe: online, ...out.io } });
    assert.equal(model.origin, 'generated');
    assert.equal(model.label, TINY_GGUF_LABEL);
    const warning = out.logs.filter((line) => line.includes('NO MODEL AVAILABLE'));
    assert.equal(warning.length, 1);
    assert.match(warning[0]!, /no real model pulled: download failed \(CCN_ERR_MODEL_MISMATCH\).*expected e{64}/);
    const again = await resolveDevLlamaModel({ ...dirs, logger: out.logger });
    assert.equal(again.origin, 'generated', 'nothing (not even a partial file) was left in the cache');
  });

  test('offline: the real probe gives up within its timeout on a base that never answers, the tiny model is served', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const out = capture();
      const startedAt = performance.now();
      const model = await resolveDevLlamaModel({ ...freshDirs(), logger: out.logger, pull: { mode: 'yes', baseUrl, probeTimeoutMs: 300, isTerminal: false, ...out.io } });
      const elapsed = performance.now() - startedAt;
      assert.equal(model.origin, 'generated');
      assert.ok(elapsed < 2000, `offline start delayed by ${Math.round(elapsed)} ms`);
      assert.match(out.logs.find((line) => line.includes('NO MODEL AVAILABLE')) ?? '', new RegExp(`offline: ${baseUrl} did not answer within 300 ms`));
      assert.equal(await probeDownloadBase('http://127.0.0.1:9', 300), false, 'a refused connection is offline too');
      assert.equal(await probeDownloadBase(good.baseUrl, 300), true, 'any HTTP answer is online');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  test('a declined question, a non-terminal without the flag and --no-pull-model: no download, the reason in the warning', async () => {
    const before = good.requests.length;
    const cases: Array<[DevModelPullOptions, RegExp]> = [
      [{ mode: 'ask', isTerminal: true, baseUrl: good.baseUrl, probe: online, prompt: async () => false }, /download declined/],
      [{ mode: 'ask', isTerminal: false, baseUrl: good.baseUrl, probe: async () => assert.fail('no probe without a terminal or the flag') }, /not a terminal.*--pull-model/],
      [{ mode: 'no', baseUrl: good.baseUrl, probe: async () => assert.fail('no probe when disabled') }, /disabled \(--no-pull-model\)/],
    ];
    for (const [pull, reason] of cases) {
      const out = capture();
      const model = await resolveDevLlamaModel({ ...freshDirs(), logger: out.logger, pull: { ...pull, ...out.io } });
      assert.equal(model.origin, 'generated');
      assert.match(out.logs.find((line) => line.includes('NO MODEL AVAILABLE')) ?? '', reason);
    }
    assert.equal(good.requests.length, before, 'the server saw no request');
  });

  test('the dev command maps --pull-model / --no-pull-model / nothing to yes / no / ask', () => {
    const io = { stdout: () => {}, stderr: () => {}, env: {} };
    assert.equal(devModelPullOptions(devCommandOptionsSchema.parse({ pull_model: true }), io).mode, 'yes');
    assert.equal(devModelPullOptions(devCommandOptionsSchema.parse({ pull_model: false }), io).mode, 'no');
    assert.equal(devModelPullOptions(devCommandOptionsSchema.parse({}), io).mode, 'ask');
    assert.equal(devModelPullOptions(devCommandOptionsSchema.parse({ model_base_url: 'http://127.0.0.1:1' }), io).baseUrl, 'http://127.0.0.1:1');
  });
});
