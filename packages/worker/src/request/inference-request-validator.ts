/**
 * Picks the validator of an inference request by its path: chat and legacy completions
 * (JSON, worker-request-validator.ts) or audio transcriptions (multipart,
 * audio-transcription-validator.ts, forwarded with its Content-Type). Anything else is
 * CCN_ERR_WORKER_INVALID_REQUEST "unsupported method", as in the reference.
 */
import { AUDIO_TRANSCRIPTIONS_PATH, validateAudioTranscriptionRequest } from './audio-transcription-validator.ts';
import { validateWorkerRequest } from './worker-request-validator.ts';
import type { WorkerRequestKind } from './worker-request-validator.ts';

export interface InferenceRequestInput {
  method: string;
  url: string;
  /** Request headers with lower-case names. */
  headers: Record<string, string>;
  body: Buffer;
  modelBaseName: string;
}

export interface ValidatedInferenceRequest {
  /** The body to forward (the input buffer itself when nothing had to change). */
  body: Buffer;
  stream: boolean;
  kind: WorkerRequestKind | 'transcription';
}

export function validateInferenceRequest(input: InferenceRequestInput): ValidatedInferenceRequest {
  if (input.url === AUDIO_TRANSCRIPTIONS_PATH) {
    return validateAudioTranscriptionRequest({ method: input.method, url: input.url, contentType: input.headers['content-type'], body: input.body, modelBaseName: input.modelBaseName });
  }
  return validateWorkerRequest({ method: input.method, url: input.url, body: input.body, modelBaseName: input.modelBaseName });
}
