/** Public API of the worker's engine layer: the engine port, its HTTP client, and the TEST ENGINE. */
export type { InferenceEngine, EngineRequest, EngineResponse, EngineHealth, EngineBody } from './inference-engine.ts';
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
