/**
 * Loads the llama.cpp runtime offline through node-llama-cpp: prebuilt binaries only
 * (`build: 'never'`, nothing is downloaded or compiled), the GPU backend asked for (auto
 * picks CUDA or Vulkan where the machine has them, else CPU), the GGUF model, and one
 * context with `sequences` parallel sequences of `contextSize` tokens each.
 */
import { getLlama, LlamaLogLevel } from 'node-llama-cpp';
import type { Llama, LlamaContext, LlamaModel } from 'node-llama-cpp';
import { CocoonError } from '@cocoon/protocol';
import type { Logger } from '@cocoon/protocol';

export type LlamaGpuChoice = 'auto' | false | 'cuda' | 'vulkan';

export interface LlamaRuntimeOptions {
  modelPath: string;
  gpu?: LlamaGpuChoice;
  threads?: number;
  contextSize?: number;
  sequences?: number;
  logger?: Logger;
}

export interface LlamaRuntime {
  llama: Llama;
  model: LlamaModel;
  context: LlamaContext;
  /** The backend actually in use: 'cuda', 'vulkan', 'metal' or false (CPU). */
  gpu: string | false;
  loadMs: number;
}

const DEFAULT_CONTEXT_SIZE = 2048;
const DEFAULT_SEQUENCES = 4;

function nativeLogger(logger: Logger | undefined) {
  return (level: LlamaLogLevel, message: string): void => {
    if (logger === undefined) return;
    const text = message.trim();
    if (text.length === 0) return;
    if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal) logger.error('llama.cpp', { message: text });
    else if (level === LlamaLogLevel.warn) logger.warn('llama.cpp', { message: text });
    else logger.debug('llama.cpp', { message: text });
  };
}

async function disposeQuietly(resource: { dispose(): Promise<void> } | undefined): Promise<void> {
  try {
    await resource?.dispose();
  } catch {
    // already failing; the first error is the one reported
  }
}

export async function loadLlamaRuntime(options: LlamaRuntimeOptions): Promise<LlamaRuntime> {
  const startedAt = performance.now();
  let llama: Llama | undefined;
  let model: LlamaModel | undefined;
  try {
    llama = await getLlama({
      gpu: options.gpu ?? 'auto',
      build: 'never',
      progressLogs: false,
      logLevel: LlamaLogLevel.warn,
      logger: nativeLogger(options.logger),
    });
  } catch (error) {
    const hint = error instanceof Error && error.name === 'NoBinaryFoundError' ? ' (no prebuilt binary of this backend loads here: missing GPU driver or toolkit?)' : '';
    throw new CocoonError('CCN_ERR_ENGINE_UNAVAILABLE', `llama.cpp runtime (gpu: ${String(options.gpu ?? 'auto')}) is not available: ${String(error)}${hint}`, { cause: error });
  }
  try {
    model = await llama.loadModel({ modelPath: options.modelPath });
    const contextSize = options.contextSize ?? Math.min(DEFAULT_CONTEXT_SIZE, model.trainContextSize);
    const context = await model.createContext({
      contextSize,
      sequences: options.sequences ?? DEFAULT_SEQUENCES,
      ...(options.threads === undefined ? {} : { threads: options.threads }),
    });
    return { llama, model, context, gpu: llama.gpu, loadMs: Math.round(performance.now() - startedAt) };
  } catch (error) {
    await disposeQuietly(model);
    await disposeQuietly(llama);
    throw new CocoonError('CCN_ERR_ENGINE_UNAVAILABLE', `cannot load GGUF model ${options.modelPath}: ${String(error)}`, { cause: error });
  }
}
