/** Runs the engine conformance suite against the embedded llama.cpp engine serving a generated tiny GGUF. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LlamaEngine } from '../../src/engine/llama/index.ts';
import { writeTinyGguf, TINY_GGUF_LABEL } from '../../src/engine/gguf/index.ts';
import { runEngineConformance } from './engine-conformance.ts';

runEngineConformance('LlamaEngine (tiny generated GGUF, threads 1)', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'cocoon-llama-conformance-'));
  const modelPath = join(directory, 'tiny.gguf');
  await writeTinyGguf(modelPath, { seed: 11, vocab: [' hello', ' there', ' question', ' number'], contextLength: 2048 });
  const engine = await LlamaEngine.load({ modelPath, modelName: 'test/tiny-llama', gpu: false, threads: 1, contextSize: 2048, sequences: 2, label: TINY_GGUF_LABEL });
  return {
    engine,
    model: 'test/tiny-llama',
    supportsCompletions: true,
    activeGenerations: () => engine.stats().busySequences,
    close: async () => {
      await engine.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
});
