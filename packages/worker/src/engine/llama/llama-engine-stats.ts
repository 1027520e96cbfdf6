/**
 * What the llama engine reports about itself for logs and /jsonstats: the static facts of
 * the loaded model (path, label such as "tiny generated GGUF with random weights", GPU
 * backend, context, sequences, load time) and running counters (requests, tokens, decode
 * rate). Token counts are integers; the rate is informational.
 */
import type { LlamaGenerationResult } from './llama-generation.ts';

export interface LlamaEngineInfo {
  engine: 'llama';
  modelName: string;
  modelPath: string;
  /** Set for special models, e.g. the generated tiny random-weights GGUF. */
  label: string | null;
  /** 'cuda', 'vulkan', 'metal', or false for CPU. */
  gpu: string | false;
  threads: number | null;
  contextSize: number;
  sequences: number;
  chatWrapper: string;
  loadMs: number;
}

export interface LlamaEngineStatsSnapshot extends LlamaEngineInfo {
  requests: number;
  failedRequests: number;
  promptTokens: number;
  cachedTokens: number;
  completionTokens: number;
  /** Completion tokens per second of generation time, over all finished requests. */
  completionTokensPerSecond: number;
  busySequences: number;
  waitingRequests: number;
}

export class LlamaEngineStats {
  readonly info: LlamaEngineInfo;
  readonly createdAt = Date.now();
  #requests = 0;
  #failed = 0;
  #promptTokens = 0;
  #cachedTokens = 0;
  #completionTokens = 0;
  #generationMs = 0;

  constructor(info: LlamaEngineInfo) {
    this.info = Object.freeze({ ...info });
  }

  /** Records a finished generation; `result` undefined means it failed or was abandoned. */
  record(result: LlamaGenerationResult | undefined, elapsedMs: number): void {
    this.#requests += 1;
    if (result === undefined) {
      this.#failed += 1;
      return;
    }
    this.#promptTokens += result.promptTokens;
    this.#cachedTokens += result.cachedTokens;
    this.#completionTokens += result.completionTokens;
    this.#generationMs += elapsedMs;
  }

  snapshot(busySequences: number, waitingRequests: number): LlamaEngineStatsSnapshot {
    const rate = this.#generationMs > 0 ? Math.round((this.#completionTokens * 1000) / this.#generationMs) : 0;
    return {
      ...this.info,
      requests: this.#requests,
      failedRequests: this.#failed,
      promptTokens: this.#promptTokens,
      cachedTokens: this.#cachedTokens,
      completionTokens: this.#completionTokens,
      completionTokensPerSecond: rate,
      busySequences,
      waitingRequests,
    };
  }
}
