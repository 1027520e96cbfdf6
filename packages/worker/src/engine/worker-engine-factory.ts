/**
 * Builds the worker's inference engine from its config: `openai` → OpenAiHttpEngine on
 * engine_url; `llama` → checks the GGUF against model_identity (when given), then loads the
 * embedded llama.cpp engine; `whisper` → the same identity check, then the embedded whisper.cpp
 * speech-to-text engine on a ggml model. LlamaEngine and WhisperEngine are imported dynamically so
 * that workers forwarding to an HTTP engine never load node-llama-cpp or whisper.cpp. Also gives
 * the `/jsonstats` status fields.
 */
import { availableParallelism } from 'node:os';
import { modelBaseName } from '@cocoon/protocol';
import type { Logger } from '@cocoon/protocol';
import { advertisedWorkerModel, defaultLlamaThreads } from '../config/worker-config.ts';
import type { WorkerConfig } from '../config/worker-config.ts';
import { verifyModelFile } from '../models/model-identity.ts';
import { OpenAiHttpEngine } from './openai-http-engine.ts';
import type { InferenceEngine } from './inference-engine.ts';

export type WorkerEngineConfig = Pick<WorkerConfig,
  'engine' | 'engine_url' | 'model' | 'model_path' | 'model_identity' | 'llama_threads' | 'llama_gpu' | 'llama_context_size' | 'llama_sequences'>
  & Partial<Pick<WorkerConfig, 'whisper_threads' | 'whisper_gpu'>>;

/** `/jsonstats` `status` fields describing the engine and the model it serves. */
export interface WorkerEngineStatus {
  engine: 'openai' | 'llama' | 'whisper';
  engine_url: string | null;
  /** The model identity, with its label when it has one (the generated tiny GGUF says so). */
  model: string;
  model_label: string | null;
  /** llama only: the engine's setup and counters (threads, load time, tokens/s…). */
  llama?: object;
  /** whisper only: the engine's setup and counters (threads, audio seconds, real-time factor…). */
  whisper?: object;
}

export interface WorkerEngineSetup {
  engine: InferenceEngine;
  status(): WorkerEngineStatus;
}

export interface WorkerEngineDeps {
  logger?: Logger;
  env?: Record<string, string | undefined>;
  /** CPU cores for the default thread count (default: os.availableParallelism()). */
  cores?: number;
}

export async function createWorkerEngine(config: WorkerEngineConfig, deps: WorkerEngineDeps = {}): Promise<WorkerEngineSetup> {
  const model = advertisedWorkerModel(config);
  if (config.engine === 'openai' || config.model_path === undefined) {
    const url = config.engine_url ?? '';
    const engine = new OpenAiHttpEngine({ baseUrl: url });
    return { engine, status: () => ({ engine: 'openai', engine_url: url, model, model_label: null }) };
  }
  const modelPath = config.model_path;
  if (config.model_identity !== undefined) {
    const startedAt = performance.now();
    await verifyModelFile(modelPath, config.model_identity);
    deps.logger?.info('model file matches its identity', { path: modelPath, identity: config.model_identity, ms: Math.round(performance.now() - startedAt) });
  }
  if (config.engine === 'whisper') return createWhisperEngine(config, modelPath, model, deps);
  const threads = config.llama_threads ?? defaultLlamaThreads(deps.env ?? process.env, deps.cores ?? availableParallelism());
  const { LlamaEngine } = await import('./llama/index.ts');
  const engine = await LlamaEngine.load({
    modelPath,
    modelName: modelBaseName(model),
    gpu: config.llama_gpu,
    threads,
    ...(config.llama_context_size === undefined ? {} : { contextSize: config.llama_context_size }),
    ...(config.llama_sequences === undefined ? {} : { sequences: config.llama_sequences }),
    ...(deps.logger ? { logger: deps.logger } : {}),
  });
  const label = engine.info.label;
  if (label !== null) deps.logger?.warn(`the model is a ${label}`, { path: modelPath });
  const identity = config.model_identity ?? model;
  return {
    engine,
    status: () => ({ engine: 'llama', engine_url: null, model: label === null ? identity : `${identity} (${label})`, model_label: label, llama: engine.stats() }),
  };
}

async function createWhisperEngine(config: WorkerEngineConfig, modelPath: string, model: string, deps: WorkerEngineDeps): Promise<WorkerEngineSetup> {
  const threads = config.whisper_threads ?? defaultLlamaThreads(deps.env ?? process.env, deps.cores ?? availableParallelism());
  const { WhisperEngine, loadWhisperRuntime } = await import('./whisper/index.ts');
  const runtime = await loadWhisperRuntime({ modelPath, gpu: config.whisper_gpu ?? false, threads, ...(deps.logger ? { logger: deps.logger } : {}) });
  const engine = new WhisperEngine({ runtime, modelName: modelBaseName(model), modelPath, ...(deps.logger ? { logger: deps.logger } : {}) });
  const identity = config.model_identity ?? model;
  return { engine, status: () => ({ engine: 'whisper', engine_url: null, model: identity, model_label: null, whisper: engine.stats() }) };
}
