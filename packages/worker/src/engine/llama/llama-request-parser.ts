/**
 * Parses an OpenAI-style completion request for the llama engine into generation
 * parameters: chat messages or a text prompt, max_tokens (max_completion_tokens wins for
 * chat), temperature, top_p, stop, seed, stream and stream_options.include_usage.
 * A bad request becomes a LlamaRequestError that the engine answers with an OpenAI error.
 */

export type LlamaRequestKind = 'chat' | 'completion';

export interface LlamaChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

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
  stream: boolean;
  includeUsage: boolean;
}

/** A request the engine refuses; answered as `{error: {message, type, param, code}}`. */
export class LlamaRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
    readonly param: string | null = null,
  ) {
    super(message);
    this.name = 'LlamaRequestError';
  }
}

type JsonObject = Record<string, unknown>;
const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);
const invalid = (message: string, param: string | null = null): LlamaRequestError => new LlamaRequestError(400, message, 'invalid_request', param);

function contentText(content: unknown, param: string): string {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  if (!Array.isArray(content)) throw invalid(`'${param}' must be a string or an array of parts`, param);
  return content
    .map((part) => {
      if (isObject(part) && part.type === 'text' && typeof part.text === 'string') return part.text;
      throw invalid(`'${param}': only text parts are supported by the llama engine`, param);
    })
    .join('');
}

function chatMessages(value: unknown): LlamaChatMessage[] {
  if (!Array.isArray(value) || value.length === 0) throw invalid("'messages' must be a non-empty array", 'messages');
  return value.map((message, index) => {
    const param = `messages[${index}]`;
    if (!isObject(message)) throw invalid(`'${param}' must be an object`, param);
    const content = contentText(message.content, `${param}.content`);
    switch (message.role) {
      case 'system':
      case 'developer':
        return { role: 'system', content };
      case 'user':
      case 'tool':
        return { role: 'user', content };
      case 'assistant':
        return { role: 'assistant', content };
      default:
        throw invalid(`'${param}.role' is not a supported role`, `${param}.role`);
    }
  });
}

function completionPrompt(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'string') return value[0];
  throw invalid("'prompt' must be a string (batched or token prompts are not supported)", 'prompt');
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
    throw new LlamaRequestError(400, 'request body is not valid JSON', 'invalid_json');
  }
  if (!isObject(parsed)) throw invalid('request body must be a JSON object');
  if (parsed.model !== undefined && typeof parsed.model !== 'string') throw invalid("'model' must be a string", 'model');
  const choices = optionalInteger(parsed, 'n', 1);
  if (choices !== undefined && choices !== 1) throw invalid("'n' must be 1 with the llama engine", 'n');
  if (Array.isArray(parsed.tools) && parsed.tools.length > 0 && parsed.tool_choice !== 'none') {
    throw invalid('tool calls are not supported by the llama engine', 'tools');
  }
  const maxTokens = kind === 'chat' ? (optionalInteger(parsed, 'max_completion_tokens', 0) ?? optionalInteger(parsed, 'max_tokens', 0)) : optionalInteger(parsed, 'max_tokens', 0);
  const streamOptions = parsed.stream_options;
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
    stream: parsed.stream === true,
    includeUsage: isObject(streamOptions) && streamOptions.include_usage === true,
  };
}
