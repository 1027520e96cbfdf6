/**
 * What the Telegram task routes need from the HTTP server: the inference exchange context (gateway,
 * defaults, body limits, clock, abort tracking) plus their own options.
 */
import type { InferenceExchangeContext } from '../inference-exchange.ts';
import type { TaskPromptTemplates as TelegramPromptTemplates } from '@cocoon/protocol';

export interface TelegramRouteOptions {
  /** Overrides of the default prompt templates. */
  templates?: Partial<TelegramPromptTemplates>;
  /** Longest accepted `text` (default 100 000 characters). */
  maxTextChars?: number;
  /** Largest accepted transcription upload (default 15 MiB: the request must fit one 16 MiB protocol frame). */
  maxAudioBytes?: number;
  /** Timeout of the models list lookups (default 10 000 ms). */
  modelsTimeoutMs?: number;
}

export interface TelegramRouteContext extends InferenceExchangeContext, TelegramRouteOptions {}

export const DEFAULT_MAX_AUDIO_BYTES = 15 * 1024 * 1024;
export const DEFAULT_MODELS_TIMEOUT_MS = 10_000;
/** Largest answer body a text task reads (chat answers are small JSON). */
export const MAX_TASK_ANSWER_BYTES = 16 * 1024 * 1024;

/** An error answer from the network (status ≥ 400 with an OpenAI-style JSON body), relayed as is. */
export class UpstreamErrorAnswer extends Error {
  constructor(readonly status: number, readonly body: Record<string, unknown>) {
    super(`upstream answered HTTP ${status}`);
    this.name = 'UpstreamErrorAnswer';
  }
}
