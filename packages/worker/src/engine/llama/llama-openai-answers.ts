/**
 * OpenAI wire shapes of the llama engine's answers: the non-streaming `chat.completion` /
 * `text_completion` objects, the SSE chunks of a streamed answer (role chunk, content
 * deltas, finish chunk, optional usage chunk with `choices: []`, `data: [DONE]`), usage
 * with real token counts, and OpenAI-style error bodies.
 */
import type { LlamaGenerationResult } from './llama-generation.ts';
import type { LlamaRequestKind } from './llama-request-parser.ts';

export interface AnswerIdentity {
  id: string;
  model: string;
  created: number;
  kind: LlamaRequestKind;
}

export interface OpenAiUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
}

export function usageOf(result: LlamaGenerationResult): OpenAiUsage {
  return {
    prompt_tokens: result.promptTokens,
    completion_tokens: result.completionTokens,
    total_tokens: result.promptTokens + result.completionTokens,
    prompt_tokens_details: { cached_tokens: result.cachedTokens },
  };
}

export function completionObject(identity: AnswerIdentity, text: string, result: LlamaGenerationResult): object {
  const base = { id: identity.id, created: identity.created, model: identity.model };
  if (identity.kind === 'completion') {
    return {
      ...base,
      object: 'text_completion',
      choices: [{ index: 0, text, logprobs: null, finish_reason: result.finishReason }],
      usage: usageOf(result),
    };
  }
  return {
    ...base,
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content: text }, logprobs: null, finish_reason: result.finishReason }],
    usage: usageOf(result),
  };
}

const sseEvent = (value: object): Buffer => Buffer.from(`data: ${JSON.stringify(value)}\n\n`, 'utf8');

/** Builds the SSE events of one streamed answer. */
export class SseAnswerWriter {
  readonly #base: object;
  readonly #kind: LlamaRequestKind;

  constructor(identity: AnswerIdentity) {
    this.#kind = identity.kind;
    this.#base = {
      id: identity.id,
      object: identity.kind === 'chat' ? 'chat.completion.chunk' : 'text_completion',
      created: identity.created,
      model: identity.model,
    };
  }

  #choice(content: string | undefined, role: boolean, finishReason: string | null): Buffer {
    if (this.#kind === 'completion') {
      return sseEvent({ ...this.#base, choices: [{ index: 0, text: content ?? '', logprobs: null, finish_reason: finishReason }] });
    }
    const delta = content === undefined ? {} : role ? { role: 'assistant', content } : { content };
    return sseEvent({ ...this.#base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] });
  }

  /** The opening chunk of a chat answer (role only); none for completions. */
  opening(): Buffer | undefined {
    return this.#kind === 'chat' ? this.#choice('', true, null) : undefined;
  }

  content(text: string): Buffer {
    return this.#choice(text, false, null);
  }

  finish(result: LlamaGenerationResult): Buffer {
    return this.#choice(this.#kind === 'chat' ? undefined : '', false, result.finishReason);
  }

  usage(result: LlamaGenerationResult): Buffer {
    return sseEvent({ ...this.#base, choices: [], usage: usageOf(result) });
  }

  done(): Buffer {
    return Buffer.from('data: [DONE]\n\n', 'utf8');
  }
}

export function errorObject(message: string, code: string, param: string | null = null, type = 'invalid_request_error'): object {
  return { error: { message, type, param, code } };
}
