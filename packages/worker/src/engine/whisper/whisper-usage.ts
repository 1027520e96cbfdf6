/**
 * What a transcription by the embedded whisper.cpp engine bills, reported as the OpenAI usage
 * `{type: 'tokens', input_tokens, input_token_details: {audio_tokens, text_tokens}, output_tokens,
 * total_tokens}` (non-streamed) or `prompt_tokens`/`completion_tokens` (the streamed usage chunk),
 * which the worker's token counter bills as prompt and completion tokens:
 * - audio tokens = whisper's encoder frames, 50 per second of audio (one per 320 samples at
 *   16 kHz), rounded up: a 30 s window is 1500 frames, the encoder's context;
 * - text tokens (the `prompt` field) and output tokens (the transcript) = UTF-8 bytes / 4, rounded
 *   up: the binding does not expose token ids, and 4 bytes is the usual length of a GPT-2 BPE
 *   token (whisper's tokenizer) on English text.
 */

export const AUDIO_TOKENS_PER_SECOND = 50;
const SAMPLES_PER_AUDIO_TOKEN = 16_000 / AUDIO_TOKENS_PER_SECOND;
const BYTES_PER_TEXT_TOKEN = 4;

export interface TranscriptionUsage {
  type: 'tokens';
  input_tokens: number;
  input_token_details: { audio_tokens: number; text_tokens: number };
  output_tokens: number;
  total_tokens: number;
}

/** Audio tokens of `samples` 16 kHz samples. */
export function audioTokens(samples: number): number {
  return Math.ceil(samples / SAMPLES_PER_AUDIO_TOKEN);
}

/** The estimated whisper tokens of a text. */
export function textTokens(text: string): number {
  return Math.ceil(Buffer.byteLength(text, 'utf8') / BYTES_PER_TEXT_TOKEN);
}

export function transcriptionUsage(samples: number, prompt: string, transcript: string): TranscriptionUsage {
  const audio = audioTokens(samples);
  const promptText = textTokens(prompt);
  const output = textTokens(transcript);
  return {
    type: 'tokens',
    input_tokens: audio + promptText,
    input_token_details: { audio_tokens: audio, text_tokens: promptText },
    output_tokens: output,
    total_tokens: audio + promptText + output,
  };
}

/** The same usage in the chat-style fields of a streamed usage chunk. */
export function streamedUsage(usage: TranscriptionUsage): { prompt_tokens: number; completion_tokens: number; total_tokens: number } {
  return { prompt_tokens: usage.input_tokens, completion_tokens: usage.output_tokens, total_tokens: usage.total_tokens };
}
