/** Public API of the embedded whisper.cpp speech-to-text engine (@fugood/whisper.node, ggml models); the binding is loaded only when a model is. */
export { WhisperEngine, completionRefusal } from './whisper-engine.ts';
export type { WhisperEngineOptions, WhisperEngineStats } from './whisper-engine.ts';
export { loadWhisperRuntime } from './whisper-runtime.ts';
export type { WhisperRuntime, WhisperRuntimeInfo, WhisperRuntimeOptions, WhisperTranscribeOptions, WhisperTranscript, WhisperSegment } from './whisper-runtime.ts';
export { readWhisperModelHeader, checkWhisperModelHeader, GGML_FILE_MAGIC } from './whisper-model-header.ts';
export type { WhisperModelHeader } from './whisper-model-header.ts';
export { decodeWavAudio, encodeWavAudio, sniffAudioContainer, WHISPER_SAMPLE_RATE } from './wav-pcm-decoder.ts';
export type { DecodedAudio } from './wav-pcm-decoder.ts';
export { parseWhisperTranscriptionRequest } from './whisper-transcription-request.ts';
export type { WhisperTranscriptionRequest } from './whisper-transcription-request.ts';
export { transcriptionUsage, streamedUsage, audioTokens, textTokens, AUDIO_TOKENS_PER_SECOND } from './whisper-usage.ts';
export type { TranscriptionUsage } from './whisper-usage.ts';
