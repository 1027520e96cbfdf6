/**
 * Which GGUF `cocoon dev` serves with the embedded llama engine: `--model PATH`, else the newest
 * GGUF in the model cache (`cocoon models pull`), else (when `pull` allows it and the machine is
 * online, see dev-model-pull.ts) a small real instruct GGUF pulled into the cache, else a tiny
 * RANDOM-WEIGHTS GGUF generated into the dev data dir, announced loudly once with the reason no
 * real model was pulled: it proves the loading path offline, not quality.
 * Returns the file and its identity `name@revision:sha256` (the workers advertise and verify it).
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CocoonError } from '@cocoon/protocol';
import type { Logger } from '@cocoon/protocol';
import type * as WorkerPackage from '@cocoon/worker';
import { DEV_PULL_MODEL_SOURCE, offerDevModelPull } from './dev-model-pull.ts';
import type { DevModelPullOptions } from './dev-model-pull.ts';

export interface DevLlamaModel {
  path: string;
  identity: string;
  /** Set for the generated tiny model (TINY_GGUF_LABEL). */
  label?: string;
  origin: 'flag' | 'cache' | 'pulled' | 'generated';
}

export interface DevLlamaModelOptions {
  modelPath?: string;
  /** Model cache; default $COCOON_MODELS_DIR, else ~/.cache/cocoon/models. */
  modelsDir?: string;
  /** Where the tiny model is generated when nothing else is there. */
  dataDir: string;
  env?: Record<string, string | undefined>;
  logger: Logger;
  /** Whether and how to pull a real model when the cache is empty; absent: never (the generated tiny model). */
  pull?: DevModelPullOptions;
}

/** The generated model's advertised name: clients ask for `tiny-random`. */
export const DEV_TINY_MODEL_NAME = 'tiny-random';
const TINY_VOCABULARY = [' hello', ' world', ' the', ' a', ' model', ' answer', ' random', ' weights', ' cocoon', ' network'];
export const SUGGESTED_MODEL = DEV_PULL_MODEL_SOURCE;

async function workerPackage(): Promise<typeof WorkerPackage> {
  const name = '@cocoon/worker';
  return (await import(name)) as typeof WorkerPackage;
}

/** `name@local:sha256` for a file without a cache record (name = file name, stripped of characters the identity forbids). */
async function localIdentity(worker: typeof WorkerPackage, path: string): Promise<string> {
  const name = basename(path).replace(/\.gguf$/i, '').replace(/[@:\s]+/g, '-') || 'model';
  return `${name}@local:${await worker.sha256OfFile(path)}`;
}

export async function resolveDevLlamaModel(options: DevLlamaModelOptions): Promise<DevLlamaModel> {
  const worker = await workerPackage();
  if (options.modelPath !== undefined) {
    if (!existsSync(options.modelPath)) throw new CocoonError('CCN_ERR_CONFIG_INVALID', `--model ${options.modelPath}: no such GGUF file`, { param: 'model' });
    const record = await worker.readModelRecord(options.modelPath);
    return { path: options.modelPath, identity: record?.identity ?? (await localIdentity(worker, options.modelPath)), origin: 'flag' };
  }
  const modelsDir = options.modelsDir ?? worker.defaultModelsDir(options.env ?? process.env);
  const newest = (await worker.listCachedModels(modelsDir))[0];
  if (newest !== undefined) {
    return { path: newest.path, identity: newest.record?.identity ?? (await localIdentity(worker, newest.path)), origin: 'cache' };
  }
  const pull = options.pull === undefined ? undefined : await offerDevModelPull(options.pull, modelsDir);
  if (pull?.pulled === true) return { path: pull.path, identity: pull.identity, origin: 'pulled' };
  const why = pull === undefined ? '' : ` (no real model pulled: ${pull.reason})`;
  const path = join(options.dataDir, 'models', `${DEV_TINY_MODEL_NAME}.gguf`);
  // A trained context of 4096 lets the workers use 2048 tokens per sequence: room for tool definitions.
  await worker.writeTinyGguf(path, { seed: 1, vocab: TINY_VOCABULARY, contextLength: 4096 });
  const identity = `${DEV_TINY_MODEL_NAME}@generated:${await worker.sha256OfFile(path)}`;
  options.logger.warn(
    `NO MODEL AVAILABLE OFFLINE (none in ${modelsDir})${why}: serving ${path}, a ${worker.TINY_GGUF_LABEL}: ` +
      `its answers are gibberish. For a real model: cocoon models pull ${SUGGESTED_MODEL} (or --model FILE.gguf)`,
  );
  return { path, identity, label: worker.TINY_GGUF_LABEL, origin: 'generated' };
}
