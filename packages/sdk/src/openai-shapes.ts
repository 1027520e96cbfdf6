/**
 * The request and answer shapes of the OpenAI-compatible API the SDK speaks (chat completions, legacy
 * completions, models, audio transcriptions), written here so the SDK does not depend on the `openai`
 * package; they are structurally compatible with its types (the fields COCOON's workers use, and an
 * index signature for the rest), plus COCOON's own request fields (`max_coefficient`, `timeout`).
 */

export type ChatRole = 'system' | 'developer' | 'user' | 'assistant' | 'tool';

export interface ChatContentPart {
  type: 'text' | 'image_url' | 'input_audio' | (string & {});
  text?: string;
  image_url?: { url: string; detail?: 'auto' | 'low' | 'high' };
  [field: string]: unknown;
}

export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: ChatRole;
  content: string | ChatContentPart[] | null;
  name?: string;
  tool_calls?: ChatToolCall[];
  tool_call_id?: string;
  [field: string]: unknown;
}

/** The fields every COCOON inference request may carry besides the model's own. */
export interface CocoonRequestFields {
  /** The highest worker price coefficient accepted (the runner's default 4000). */
  max_coefficient?: number;
  /** Seconds the network may take for the whole answer (default 120). */
  timeout?: number;
}

export interface ChatCompletionCreateParamsBase extends CocoonRequestFields {
  model: string;
  messages: ChatMessage[];
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  n?: number | null;
  stop?: string | string[] | null;
  seed?: number | null;
  presence_penalty?: number | null;
  frequency_penalty?: number | null;
  logprobs?: boolean | null;
  top_logprobs?: number | null;
  response_format?: { type: 'text' | 'json_object' | 'json_schema'; [field: string]: unknown };
  tools?: Array<{ type: 'function'; function: { name: string; description?: string; parameters?: Record<string, unknown> } }>;
  tool_choice?: 'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } };
  stream_options?: { include_usage?: boolean } | null;
  user?: string;
  [field: string]: unknown;
}

export interface ChatCompletionCreateParamsNonStreaming extends ChatCompletionCreateParamsBase {
  stream?: false | null;
}

export interface ChatCompletionCreateParamsStreaming extends ChatCompletionCreateParamsBase {
  stream: true;
}

export type ChatCompletionCreateParams = ChatCompletionCreateParamsNonStreaming | ChatCompletionCreateParamsStreaming;

export interface CompletionUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  [field: string]: unknown;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call' | (string & {});

export interface ChatCompletionMessage {
  role: 'assistant';
  content: string | null;
  tool_calls?: ChatToolCall[];
  /** Reasoning models served by vLLM put their thinking here. */
  reasoning_content?: string | null;
  [field: string]: unknown;
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{ index: number; message: ChatCompletionMessage; finish_reason: FinishReason | null; logprobs?: unknown }>;
  usage?: CompletionUsage;
  [field: string]: unknown;
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: { role?: 'assistant'; content?: string | null; reasoning_content?: string | null; tool_calls?: Array<Partial<ChatToolCall> & { index: number }>; [field: string]: unknown };
    finish_reason: FinishReason | null;
    logprobs?: unknown;
  }>;
  usage?: CompletionUsage | null;
  [field: string]: unknown;
}

export interface CompletionCreateParamsBase extends CocoonRequestFields {
  model: string;
  prompt: string | string[];
  max_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  n?: number | null;
  stop?: string | string[] | null;
  seed?: number | null;
  echo?: boolean | null;
  suffix?: string | null;
  stream_options?: { include_usage?: boolean } | null;
  [field: string]: unknown;
}

export interface CompletionCreateParamsNonStreaming extends CompletionCreateParamsBase {
  stream?: false | null;
}

export interface CompletionCreateParamsStreaming extends CompletionCreateParamsBase {
  stream: true;
}

export type CompletionCreateParams = CompletionCreateParamsNonStreaming | CompletionCreateParamsStreaming;

/** A legacy completion, and (with object 'text_completion' too) each streamed piece of one. */
export interface Completion {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  choices: Array<{ index: number; text: string; finish_reason: FinishReason | null; logprobs?: unknown }>;
  usage?: CompletionUsage | null;
  [field: string]: unknown;
}

/** One worker of a model in the client runner's `/v1/models`. */
export interface CocoonModelWorker {
  coefficient: number;
  /** nanoTON per adjusted token at this worker (when the runner knows the price). */
  price_per_token_nanoton?: number;
  running_requests: number;
  max_running_requests: number;
  [field: string]: unknown;
}

export interface CocoonModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
  /** The workers serving it now, cheapest first. */
  workers: CocoonModelWorker[];
}

export interface CocoonModelsPage {
  object: 'list';
  data: CocoonModel[];
}

/** Per-call options of every SDK method. */
export interface CocoonRequestOptions {
  /** Aborts the call (a stream: ends it; its receipt rejects with CCN_ERR_CANCELLED). */
  signal?: AbortSignal;
}
