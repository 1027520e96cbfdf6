/**
 * Public API of the worker's engine layer: the engine port, its HTTP client, the TEST ENGINE,
 * the engine factory and the tiny GGUF writer. LlamaEngine itself is NOT exported here (it
 * statically imports node-llama-cpp): import './llama/index.ts' dynamically.
 */
export type { InferenceEngine, EngineRequest, EngineResponse, EngineHealth, EngineBody, ReadGate } from './inference-engine.ts';
export { readEngineBody } from './inference-engine.ts';
export { OpenAiHttpEngine } from './openai-http-engine.ts';
export type { OpenAiHttpEngineOptions } from './openai-http-engine.ts';
export { EngineRequestDeadline, toEngineError } from './engine-request-deadline.ts';
export { startTestEngine, TEST_ENGINE_DEFAULT_MODELS } from './test-engine-server.ts';
export type { TestEngine, TestEngineOptions } from './test-engine-server.ts';
export {
  generateTestCompletion,
  inputWords,
  countWords,
  testEngineToolCall,
  TEST_ENGINE_DEFAULT_COMPLETION_TOKENS,
  TEST_ENGINE_PROMPT_OVERHEAD,
  TEST_ENGINE_WORDS,
} from './test-engine-completion.ts';
export type { TestEngineUsage, TestEngineCompletion, TestEngineToolCall, BenchmarkShape } from './test-engine-completion.ts';
export { TEST_ENGINE_CREATED } from './test-engine-answers.ts';
export { createWorkerEngine } from './worker-engine-factory.ts';
export type { WorkerEngineConfig, WorkerEngineDeps, WorkerEngineSetup, WorkerEngineStatus } from './worker-engine-factory.ts';
export { audioTranscriptionRefusal, AUDIO_TRANSCRIPTIONS_ENGINE_PATH } from './audio-transcription-refusal.ts';
export { writeTinyGguf, encodeTinyGguf, tinyGgufLabelOf, TINY_GGUF_LABEL } from './gguf/index.ts';
export type { TinyGgufOptions, TinyGgufInfo } from './gguf/index.ts';
