/** Engine choice of the dev network with fake children: llama by default (model flag, cache, generated tiny GGUF), openai, test. */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@cocoon/protocol';
import { TINY_GGUF_LABEL } from '@cocoon/worker';
import { startDevNetwork, type DevNetworkOptions } from '../../src/dev/dev-network.ts';
import { describeDevNetwork } from '../../src/commands/dev-command.ts';
import { writeFakeChildScript } from './fake-child.ts';

let directory = '';
let script = '';
before(() => {
  directory = mkdtempSync(join(tmpdir(), 'cocoon-dev-llama-test-'));
  script = writeFakeChildScript(directory);
});
after(() => rmSync(directory, { recursive: true, force: true }));

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const flag = (args: string[], name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const workerArgs = (network: { children: readonly { name: string; readyInfo: Record<string, unknown> | undefined }[] }, name = 'worker-1') =>
  (network.children.find((child) => child.name === name)?.readyInfo?.args as string[] | undefined) ?? [];

function options(name: string, extra: Partial<DevNetworkOptions> = {}): { options: DevNetworkOptions; logs: string[]; dataDir: string; modelsDir: string } {
  const logs: string[] = [];
  const dataDir = join(directory, name, 'data');
  const modelsDir = join(directory, name, 'models');
  return {
    logs, dataDir, modelsDir,
    options: {
      basePortOffset: 31000, readyTimeoutMs: 10_000, stopGraceMs: 2_000, workers: 2, dataDir, modelsDir,
      launch: (spec) => ({ command: process.execPath, args: [script, spec.name, ...spec.args], env: { ...process.env, FAKE_PLAN: '{}' } }),
      onLine: () => {},
      logger: createLogger('dev', { write: (line) => logs.push(line) }),
      ...extra,
    },
  };
}

describe('dev network engines', () => {
  test('default engine llama without any model generates the tiny GGUF, says so once, and passes it to every worker', async () => {
    const { options: start, logs, dataDir } = options('tiny', { llamaThreads: 1 });
    const network = await startDevNetwork(start);
    try {
      assert.deepEqual(network.children.map((child) => child.name), ['proxy', 'worker-1', 'worker-2', 'client'], 'no engine child');
      assert.equal(network.engine, 'llama');
      assert.equal(network.usesTestEngine, false);
      const path = join(dataDir, 'models', 'tiny-random.gguf');
      assert.deepEqual(network.model, { path, identity: `tiny-random@generated:${sha(path)}`, label: TINY_GGUF_LABEL, origin: 'generated' });
      for (const worker of ['worker-1', 'worker-2']) {
        const args = workerArgs(network, worker);
        assert.equal(flag(args, '--engine'), 'llama');
        assert.equal(flag(args, '--model-path'), path);
        assert.equal(flag(args, '--model-identity'), network.model?.identity);
        assert.equal(flag(args, '--llama-threads'), '1');
        assert.equal(flag(args, '--engine-url'), undefined);
      }
      assert.equal(logs.filter((line) => line.includes('NO MODEL AVAILABLE OFFLINE')).length, 1, 'logged loudly, once');
      assert.ok(logs.some((line) => line.includes('cocoon models pull hf:')));
      assert.ok(describeDevNetwork(network).some((line) => line.includes('embedded llama.cpp: tiny-random@generated:') && line.includes(TINY_GGUF_LABEL)));
    } finally {
      await network.stop();
    }
  });

  test('the newest cached model wins over older ones; its identity comes from the pull record', async () => {
    const { options: start, modelsDir, logs } = options('cache');
    const older = join(modelsDir, 'acme', 'old-GGUF', 'main', 'old.gguf');
    const newer = join(modelsDir, 'acme', 'new-GGUF', 'main', 'new.gguf');
    for (const path of [older, newer]) {
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, `GGUF ${path}`);
    }
    utimesSync(older, new Date(1_000_000), new Date(1_000_000));
    const identity = `acme/new-GGUF/new@main:${sha(newer)}`;
    writeFileSync(`${newer}.cocoon.json`, JSON.stringify({ identity, sha256: sha(newer), bytes: 1, source: 'hf:acme/new-GGUF/new.gguf@main', url: 'x', downloaded_at: 'now' }));
    const network = await startDevNetwork({ ...start, workers: 1 });
    try {
      assert.equal(network.model?.path, newer);
      assert.equal(network.model?.origin, 'cache');
      assert.equal(flag(workerArgs(network), '--model-identity'), identity);
      assert.equal(logs.filter((line) => line.includes('NO MODEL AVAILABLE')).length, 0);
    } finally {
      await network.stop();
    }
  });

  test('--model PATH is served as <file name>@local:<sha256>; a missing file is a clear error', async () => {
    const { options: start } = options('flag', { workers: 1 });
    const path = join(directory, 'my model.gguf');
    writeFileSync(path, 'GGUF mine');
    const network = await startDevNetwork({ ...start, modelPath: path });
    try {
      assert.equal(flag(workerArgs(network), '--model-identity'), `my-model@local:${sha(path)}`);
    } finally {
      await network.stop();
    }
    await assert.rejects(startDevNetwork({ ...start, modelPath: join(directory, 'nope.gguf') }), /--model .*nope\.gguf: no such GGUF file/);
  });

  test('engine openai needs an URL; --engine-url with another engine is refused', async () => {
    const { options: start } = options('refused');
    await assert.rejects(startDevNetwork({ ...start, engine: 'openai' }), /engine openai needs --engine-url/);
    await assert.rejects(startDevNetwork({ ...start, engine: 'test', engineUrl: 'http://127.0.0.1:1' }), /only used with engine openai, not test/);
  });
});
