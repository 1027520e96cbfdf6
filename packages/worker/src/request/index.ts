/** Public API of the worker's request validation (§4.6). */
export { validateWorkerRequest, CHAT_COMPLETIONS_PATH, COMPLETIONS_PATH } from './worker-request-validator.ts';
export type { WorkerRequestInput, ValidatedWorkerRequest, WorkerRequestKind } from './worker-request-validator.ts';
export { validateAudioTranscriptionRequest, AUDIO_TRANSCRIPTIONS_PATH } from './audio-transcription-validator.ts';
export type { AudioTranscriptionInput, ValidatedAudioTranscription } from './audio-transcription-validator.ts';
export { validateInferenceRequest } from './inference-request-validator.ts';
export type { InferenceRequestInput, ValidatedInferenceRequest } from './inference-request-validator.ts';
export { CHAT_OPTION_RULES, COMPLETION_OPTION_RULES } from './request-option-rules.ts';
export type { OptionChecker } from './request-option-rules.ts';
export { openEncryptedRequest } from './encrypted-request-opener.ts';
export type { EncryptedRequestInput, OpenedRequest } from './encrypted-request-opener.ts';
