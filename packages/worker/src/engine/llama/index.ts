/** Public API of the embedded llama.cpp engine (node-llama-cpp, GGUF models). */
export { LlamaEngine } from './llama-engine.ts';
export type { LlamaEngineOptions } from './llama-engine.ts';
export type { LlamaGpuChoice } from './llama-runtime-loader.ts';
export type { LlamaChatTemplate } from './llama-prompt-renderer.ts';
export type { LlamaEngineInfo, LlamaEngineStatsSnapshot } from './llama-engine-stats.ts';
