/**
 * Parses an OpenAI-style completion request for the llama engine into generation
 * parameters: chat messages (tool calls and tool results included) or a text prompt,
 * max_tokens (max_completion_tokens wins for chat), temperature, top_p, stop, seed, n,
 * logprobs/top_logprobs, logit_bias, presence/frequency penalties, tools/tool_choice,
 * response_format, echo, stream and stream_options.include_usage. Hints the engine may
 * ignore (user, metadata, store, service_tier, reasoning_effort, verbosity, prediction,
 * parallel_tool_calls: at most one call is made) pass; what it cannot do is refused with
 * CCN_ERR_ENGINE_UNSUPPORTED_PARAMETER naming the field, bad values with
 * CCN_ERR_WORKER_INVALID_REQUEST.
 */
import { invalidRequest, unsupportedParameter } from './llama-request-error.ts';
import { parseAssistantToolCalls, parseResponseFormat, parseToolChoice, parseTools } from './llama-tool-request.ts';
import type { LlamaResponseFormat, LlamaTool, LlamaToolCallRecord, LlamaToolChoice } from './llama-tool-request.ts';

export { LlamaRequestError } from './llama-request-error.ts';

export type LlamaRequestKind = 'chat' | 'completion';

export type LlamaChatMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls: LlamaToolCallRecord[] }
  | { role: 'tool'; content: string; toolCallId: string };

export interface LlamaGenerationRequest {
  kind: LlamaRequestKind;
  model: string | undefined;
  /** Chat requests only. */
  messages: LlamaChatMessage[];
  /** Completion requests only. */
  prompt: string;
  maxTokens: number | undefined;
  temperature: number;
  topP: number | undefined;
  stop: string[];
  seed: number | undefined;
  /** Choices to generate (`n`). */
  choices: number;
  /** Alternatives per token to report, or undefined when logprobs are off (0: the chosen token only). */
  logprobs: number | undefined;
  /** Token id → logit bias (-100 = never). */
  logitBias: Map<number, number>;
  presencePenalty: number | undefined;
  frequencyPenalty: number | undefined;
  tools: LlamaTool[];
  toolChoice: LlamaToolChoice;
  responseFormat: LlamaResponseFormat;
  /** Completions: prepend the prompt to the answer. */
  echo: boolean;
  stream: boolean;
  includeUsage: boolean;
}

export const MAX_CHOICES = 16;
const MAX_TOP_LOGPROBS = { chat: 20, completion: 5 } as const;

type JsonObject = Record<string, unknown>;
const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);
const invalid = invalidRequest;

function contentText(content: unknown, param: string): string {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  if (!Array.isArray(content)) throw invalid(`'${param}' must be a string or an array of parts`, param);
  return content
    .map((part) => {
      if (isObject(part) && part.type === 'text' && typeof part.text === 'string') return part.text;
      throw unsupportedParameter(`'${param}': only text parts are supported by the llama engine`, param);
    })
    .join('');
}

function chatMessages(value: unknown): LlamaChatMessage[] {
  if (!Array.isArray(value) || value.length === 0) throw invalid("'messages' must be a non-empty array", 'messages');
  return value.map((message, index): LlamaChatMessage => {
    const param = `messages[${index}]`;
    if (!isObject(message)) throw invalid(`'${param}' must be an object`, param);
    const content = contentText(message.content, `${param}.content`);
    switch (message.role) {
      case 'system':
      case 'developer':
        return { role: 'system', content };
      case 'user':
        return { role: 'user', content };
      case 'tool':
        if (typeof message.tool_call_id !== 'string') throw invalid(`'${param}.tool_call_id' must be a string`, `${param}.tool_call_id`);
        return { role: 'tool', content, toolCallId: message.tool_call_id };
      case 'assistant':
        return { role: 'assistant', content, toolCalls: parseAssistantToolCalls(message.tool_calls, `${param}.tool_calls`) };
      default:
        throw invalid(`'${param}.role' is not a supported role`, `${param}.role`);
    }
  });
}

function completionPrompt(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'string') return value[0];
  throw unsupportedParameter("'prompt' must be one string: batched or token prompts are not supported by the llama engine", 'prompt');
}

function optionalNumber(body: JsonObject, key: string, min: number, max: number): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) throw invalid(`'${key}' must be a number in [${min}, ${max}]`, key);
  return value;
}

function optionalInteger(body: JsonObject, key: string, min: number): number | undefined {
  const value = optionalNumber(body, key, min, Number.MAX_SAFE_INTEGER);
  if (value !== undefined && !Number.isSafeInteger(value)) throw invalid(`'${key}' must be an integer`, key);
  return value;
}

function stopStrings(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length > 16 || !list.every((item) => typeof item === 'string')) {
    throw invalid("'stop' must be a string or an array of at most 16 strings", 'stop');
  }
  return (list as string[]).filter((item) => item.length > 0);
}

/** Parses and checks a request body; throws LlamaRequestError on anything unusable. */
export function parseLlamaRequest(body: Buffer, kind: LlamaRequestKind): LlamaGenerationRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw invalid('request body is not valid JSON');
  }
  if (!isObject(parsed)) throw invalid('request body must be a JSON object');
  if (parsed.model !== undefined && typeof parsed.model !== 'string') throw invalid("'model' must be a string", 'model');
  const choices = optionalInteger(parsed, 'n', 1) ?? 1;
  if (choices > MAX_CHOICES) throw invalid(`'n' must be at most ${MAX_CHOICES} with the llama engine`, 'n');
  const maxTokens = kind === 'chat' ? (optionalInteger(parsed, 'max_completion_tokens', 0) ?? optionalInteger(parsed, 'max_tokens', 0)) : optionalInteger(parsed, 'max_tokens', 0);
  const streamOptions = parsed.stream_options;
  const tools = kind === 'chat' ? parseTools(parsed.tools) : [];
  if (kind === 'completion') refuseCompletionOnly(parsed, choices);
  return {
    kind,
    model: parsed.model as string | undefined,
    messages: kind === 'chat' ? chatMessages(parsed.messages) : [],
    prompt: kind === 'completion' ? completionPrompt(parsed.prompt) : '',
    maxTokens,
    temperature: optionalNumber(parsed, 'temperature', 0, 2) ?? 1,
    topP: optionalNumber(parsed, 'top_p', 0, 1),
    stop: stopStrings(parsed.stop),
    seed: optionalInteger(parsed, 'seed', Number.MIN_SAFE_INTEGER),
    choices,
    logprobs: logprobsOf(parsed, kind),
    logitBias: logitBias(parsed.logit_bias),
    presencePenalty: optionalNumber(parsed, 'presence_penalty', -2, 2),
    frequencyPenalty: optionalNumber(parsed, 'frequency_penalty', -2, 2),
    tools,
    toolChoice: kind === 'chat' ? parseToolChoice(parsed.tool_choice, tools) : { mode: 'none' },
    responseFormat: kind === 'chat' ? parseResponseFormat(parsed.response_format) : { type: 'text' },
    echo: kind === 'completion' && parsed.echo === true,
    stream: parsed.stream === true,
    includeUsage: isObject(streamOptions) && streamOptions.include_usage === true,
  };
}

function refuseCompletionOnly(body: JsonObject, choices: number): void {
  if (typeof body.suffix === 'string' && body.suffix.length > 0) throw unsupportedParameter("'suffix' (insertion) is not supported by the llama engine", 'suffix');
  const bestOf = optionalInteger(body, 'best_of', 1);
  if (bestOf !== undefined && bestOf !== choices) throw unsupportedParameter("'best_of' other than 'n' is not supported by the llama engine", 'best_of');
}

function logprobsOf(body: JsonObject, kind: LlamaRequestKind): number | undefined {
  const limit = MAX_TOP_LOGPROBS[kind];
  if (kind === 'completion') {
    const count = optionalInteger(body, 'logprobs', 0);
    if (count !== undefined && count > limit) throw invalid(`'logprobs' must be at most ${limit}`, 'logprobs');
    return count;
  }
  const top = optionalInteger(body, 'top_logprobs', 0);
  if (top !== undefined && top > limit) throw invalid(`'top_logprobs' must be at most ${limit}`, 'top_logprobs');
  if (body.logprobs !== undefined && body.logprobs !== null && typeof body.logprobs !== 'boolean') throw invalid("'logprobs' must be a boolean", 'logprobs');
  if (body.logprobs !== true) {
    if (top !== undefined && top > 0) throw invalid("'top_logprobs' needs 'logprobs': true", 'top_logprobs');
    return undefined;
  }
  return top ?? 0;
}

function logitBias(value: unknown): Map<number, number> {
  const biases = new Map<number, number>();
  if (value === undefined || value === null) return biases;
  if (!isObject(value)) throw invalid("'logit_bias' must be an object of token id → bias", 'logit_bias');
  for (const [key, bias] of Object.entries(value)) {
    const token = Number(key);
    if (!/^\d+$/.test(key) || !Number.isSafeInteger(token)) throw invalid(`'logit_bias' key ${JSON.stringify(key)} is not a token id`, 'logit_bias');
    if (typeof bias !== 'number' || !Number.isFinite(bias) || bias < -100 || bias > 100) throw invalid(`'logit_bias.${key}' must be a number in [-100, 100]`, `logit_bias.${key}`);
    biases.set(token, bias);
  }
  return biases;
}
