/**
 * The answer of engines that do not transcribe audio (embedded llama.cpp, the TEST ENGINE) to
 * `POST /v1/audio/transcriptions`: HTTP 400 with an OpenAI error whose code is
 * CCN_ERR_WORKER_INVALID_REQUEST. A request error, not an outage: the model cannot transcribe,
 * so retrying on another worker of the same model would not help. The wording ("does not
 * support transcription") is what the client's Telegram route turns into "no worker serves
 * audio transcription for model X".
 */

export const AUDIO_TRANSCRIPTIONS_ENGINE_PATH = '/v1/audio/transcriptions';

export function audioTranscriptionRefusal(engineName: string): { status: number; body: object } {
  return {
    status: 400,
    body: {
      error: {
        message: `${engineName} does not support transcription: this engine does not serve audio transcription (run the worker on a speech-to-text engine such as vLLM with Whisper)`,
        type: 'invalid_request_error',
        param: 'url',
        code: 'CCN_ERR_WORKER_INVALID_REQUEST',
      },
    },
  };
}
