/**
 * OpenAI wire shapes of the llama engine's answers: the non-streaming `chat.completion` /
 * `text_completion` objects (one or `n` choices; content, `tool_calls`, logprobs), the SSE
 * chunks of a streamed answer (per choice: role chunk, content or `delta.tool_calls` deltas,
 * finish chunk; then an optional usage chunk with `choices: []`, `data: [DONE]`), usage with
 * real token counts (prompt counted once, completion tokens of every choice), and error bodies.
 */
import type { LlamaGenerationResult, TokenLogprob } from './llama-generation.ts';
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

export interface GeneratedToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** One finished choice, as the non-streaming answer shows it. */
export interface ChoiceOutput {
  content: string;
  toolCall: GeneratedToolCall | undefined;
  logprobs: TokenLogprob[] | undefined;
  result: LlamaGenerationResult;
}

/** Usage of all choices: the prompt once (as the first choice evaluated it), completions summed. */
export function usageOf(results: readonly LlamaGenerationResult[]): OpenAiUsage {
  const first = results[0];
  const prompt = first?.promptTokens ?? 0;
  const completion = results.reduce((sum, result) => sum + result.completionTokens, 0);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, prompt_tokens_details: { cached_tokens: first?.cachedTokens ?? 0 } };
}

const bytesOf = (text: string): number[] => [...Buffer.from(text, 'utf8')];

function chatLogprobs(entries: readonly TokenLogprob[] | undefined): object | null {
  if (entries === undefined) return null;
  return {
    content: entries.map((entry) => ({
      token: entry.token,
      logprob: entry.logprob,
      bytes: bytesOf(entry.token),
      top_logprobs: entry.top.map((alternative) => ({ token: alternative.token, logprob: alternative.logprob, bytes: bytesOf(alternative.token) })),
    })),
    refusal: null,
  };
}

function completionLogprobs(entries: readonly TokenLogprob[] | undefined, startOffset: number): object | null {
  if (entries === undefined) return null;
  const offsets: number[] = [];
  let offset = startOffset;
  for (const entry of entries) {
    offsets.push(offset);
    offset += entry.token.length;
  }
  return {
    tokens: entries.map((entry) => entry.token),
    token_logprobs: entries.map((entry) => entry.logprob),
    top_logprobs: entries.map((entry) => Object.fromEntries(entry.top.map((alternative) => [alternative.token, alternative.logprob]))),
    text_offset: offsets,
  };
}

const toolCallObject = (call: GeneratedToolCall): object => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } });

export function completionObject(identity: AnswerIdentity, choices: readonly ChoiceOutput[], echo: string): object {
  const base = { id: identity.id, created: identity.created, model: identity.model };
  const usage = usageOf(choices.map((choice) => choice.result));
  if (identity.kind === 'completion') {
    return {
      ...base,
      object: 'text_completion',
      choices: choices.map((choice, index) => ({ index, text: echo + choice.content, logprobs: completionLogprobs(choice.logprobs, echo.length), finish_reason: choice.result.finishReason })),
      usage,
    };
  }
  return {
    ...base,
    object: 'chat.completion',
    choices: choices.map((choice, index) => {
      const message = choice.toolCall === undefined
        ? { role: 'assistant', content: choice.content }
        : { role: 'assistant', content: choice.content.length > 0 ? choice.content : null, tool_calls: [toolCallObject(choice.toolCall)] };
      return { index, message, logprobs: chatLogprobs(choice.logprobs), finish_reason: choice.result.finishReason };
    }),
    usage,
  };
}

const sseEvent = (value: object): Buffer => Buffer.from(`data: ${JSON.stringify(value)}\n\n`, 'utf8');

/** Builds the SSE events of one streamed answer. */
export class SseAnswerWriter {
  readonly #base: object;
  readonly #kind: LlamaRequestKind;
  /** Completions: characters sent so far per choice (logprobs text offsets). */
  readonly #offsets = new Map<number, number>();

  constructor(identity: AnswerIdentity) {
    this.#kind = identity.kind;
    this.#base = {
      id: identity.id,
      object: identity.kind === 'chat' ? 'chat.completion.chunk' : 'text_completion',
      created: identity.created,
      model: identity.model,
    };
  }

  #chat(index: number, delta: object, finishReason: string | null, logprobs: object | null = null): Buffer {
    return sseEvent({ ...this.#base, choices: [{ index, delta, logprobs, finish_reason: finishReason }] });
  }

  #text(index: number, text: string, finishReason: string | null, logprobs: TokenLogprob[] | undefined = undefined): Buffer {
    const offset = this.#offsets.get(index) ?? 0;
    this.#offsets.set(index, offset + text.length);
    return sseEvent({ ...this.#base, choices: [{ index, text, logprobs: completionLogprobs(logprobs, offset), finish_reason: finishReason }] });
  }

  /** The opening chunk of a chat choice (role only), or a completion's echoed prompt; none for other completions. */
  opening(index: number, echo: string): Buffer | undefined {
    if (this.#kind === 'chat') return this.#chat(index, { role: 'assistant', content: '' }, null);
    return echo.length > 0 ? this.#text(index, echo, null) : undefined;
  }

  content(index: number, text: string, logprobs?: TokenLogprob[]): Buffer {
    if (this.#kind === 'completion') return this.#text(index, text, null, logprobs);
    return this.#chat(index, { content: text }, null, logprobs === undefined ? null : chatLogprobs(logprobs));
  }

  /** The first chunk of a tool call: id, type and name, empty arguments. */
  toolCall(index: number, id: string, name: string): Buffer {
    return this.#chat(index, { tool_calls: [{ index: 0, id, type: 'function', function: { name, arguments: '' } }] }, null);
  }

  toolCallArguments(index: number, text: string): Buffer {
    return this.#chat(index, { tool_calls: [{ index: 0, function: { arguments: text } }] }, null);
  }

  finish(index: number, result: LlamaGenerationResult): Buffer {
    if (this.#kind === 'completion') return this.#text(index, '', result.finishReason);
    return this.#chat(index, {}, result.finishReason);
  }

  usage(results: readonly LlamaGenerationResult[]): Buffer {
    return sseEvent({ ...this.#base, choices: [], usage: usageOf(results) });
  }

  done(): Buffer {
    return Buffer.from('data: [DONE]\n\n', 'utf8');
  }
}

export function errorObject(message: string, code: string, param: string | null = null, type = 'invalid_request_error'): object {
  return { error: { message, type, param, code } };
}
