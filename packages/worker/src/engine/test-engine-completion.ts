/**
 * TEST ENGINE — deterministic "generation" for the OpenAI-compatible test server. This is
 * NOT a model: it derives token counts from the request with a fixed formula and emits a
 * fixed word sequence, so tests can check billing against exactly what it reports.
 *
 * Token formula (every number is an integer):
 *   words             = whitespace-separated words of the input: chat → every message's
 *                       string `content` plus the `text` of array content parts;
 *                       completions → `prompt` strings (a number in a token array = 1 word)
 *   prompt_tokens     = words + 4
 *   cached_tokens     = floor(prompt_tokens / 3)
 *   limit             = chunkCount in benchmark mode, otherwise 16
 *   requested         = max_completion_tokens ?? max_tokens (absent → limit)
 *   choices           = n (default 1)
 *   completion_tokens = min(requested, limit) × choices
 *   reasoning_tokens  = floor(completion_tokens / 10)
 *   total_tokens      = prompt_tokens + completion_tokens
 * Generated text: completion_tokens words cycling through TEST_ENGINE_WORDS ("alpha bravo …"),
 * one streamed chunk per word; in benchmark mode exactly chunkCount chunks of chunkBytes '0's.
 * finish_reason: 'tool_calls' for tool calls, 'length' when max tokens bound the answer, else 'stop'.
 * With `response_format` json_object / json_schema the content is one JSON piece instead: `{}`,
 * or a placeholder value of the schema (first enum/const value, 'test', 1, true, [], every property).
 * With `n` the same answer is repeated as every choice.
 */

export const TEST_ENGINE_DEFAULT_COMPLETION_TOKENS = 16;
export const TEST_ENGINE_PROMPT_OVERHEAD = 4;
export const TEST_ENGINE_WORDS: readonly string[] = [
  'alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel',
  'india', 'juliett', 'kilo', 'lima', 'mike', 'november', 'oscar', 'papa',
];

export interface TestEngineUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
  completion_tokens_details: { reasoning_tokens: number };
}

export interface TestEngineToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface TestEngineCompletion {
  usage: TestEngineUsage;
  /** Content pieces, one per streamed chunk. */
  pieces: string[];
  toolCall: TestEngineToolCall | undefined;
  finishReason: 'stop' | 'length' | 'tool_calls';
  /** `n`: how many times the answer is given. */
  choices: number;
}

export interface BenchmarkShape {
  chunkCount: number;
  chunkBytes: number;
}

type JsonObject = Record<string, unknown>;
const asObject = (value: unknown): JsonObject | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;

export function countWords(text: string): number {
  return text.match(/\S+/g)?.length ?? 0;
}

function contentWords(content: unknown): number {
  if (typeof content === 'string') return countWords(content);
  if (!Array.isArray(content)) return 0;
  let words = 0;
  for (const part of content) {
    const text = asObject(part)?.text;
    if (typeof text === 'string') words += countWords(text);
  }
  return words;
}

function promptWords(prompt: unknown): number {
  if (typeof prompt === 'string') return countWords(prompt);
  if (typeof prompt === 'number') return 1;
  if (Array.isArray(prompt)) return prompt.reduce((sum: number, item) => sum + promptWords(item), 0);
  return 0;
}

/** Words of the request's input, per the formula above. */
export function inputWords(request: JsonObject, kind: 'chat' | 'completion'): number {
  if (kind === 'completion') return promptWords(request.prompt);
  const messages = Array.isArray(request.messages) ? request.messages : [];
  return messages.reduce((sum: number, message) => sum + contentWords(asObject(message)?.content), 0);
}

function placeholderArgument(schema: unknown, depth = 0): unknown {
  const object = asObject(schema);
  if (object === undefined || depth > 8) return null;
  if (object.const !== undefined) return object.const;
  if (Array.isArray(object.enum)) return object.enum[0] ?? null;
  const options = object.anyOf ?? object.oneOf;
  if (Array.isArray(options)) return placeholderArgument(options[0], depth + 1);
  const type = Array.isArray(object.type) ? object.type[0] : object.type;
  switch (type) {
    case 'string': return 'test';
    case 'integer': case 'number': return 1;
    case 'boolean': return true;
    case 'array': return [];
    case 'object': {
      const value: JsonObject = {};
      for (const [key, property] of Object.entries(asObject(object.properties) ?? {})) value[key] = placeholderArgument(property, depth + 1);
      return value;
    }
    default: return null;
  }
}

/** The JSON answer for a request with `response_format` json_object / json_schema, or undefined. */
export function testEngineJsonContent(request: JsonObject): string | undefined {
  const format = asObject(request.response_format);
  if (format?.type === 'json_object') return '{}';
  if (format?.type !== 'json_schema') return undefined;
  return JSON.stringify(placeholderArgument(asObject(format.json_schema)?.schema ?? { type: 'object' }) ?? {});
}

/** The deterministic tool call for a chat request with `tools`, or undefined. */
export function testEngineToolCall(request: JsonObject): TestEngineToolCall | undefined {
  if (!Array.isArray(request.tools) || request.tools.length === 0 || request.tool_choice === 'none') return undefined;
  const chosen = asObject(asObject(request.tool_choice)?.function)?.name;
  const tools = request.tools.map((tool) => asObject(asObject(tool)?.function));
  const tool = tools.find((candidate) => candidate?.name === chosen) ?? tools[0];
  const name = typeof tool?.name === 'string' ? tool.name : 'tool';
  const properties = asObject(asObject(tool?.parameters)?.properties) ?? {};
  const args: JsonObject = {};
  for (const [key, schema] of Object.entries(properties)) args[key] = placeholderArgument(schema);
  return { id: 'call_test_0', type: 'function', function: { name, arguments: JSON.stringify(args) } };
}

/** Computes the deterministic answer (usage, text pieces, tool call) for one request. */
export function generateTestCompletion(request: JsonObject, kind: 'chat' | 'completion', benchmark?: BenchmarkShape): TestEngineCompletion {
  const promptTokens = inputWords(request, kind) + TEST_ENGINE_PROMPT_OVERHEAD;
  const limit = benchmark?.chunkCount ?? TEST_ENGINE_DEFAULT_COMPLETION_TOKENS;
  const rawRequested = kind === 'chat' ? (request.max_completion_tokens ?? request.max_tokens) : request.max_tokens;
  const requested = Number.isSafeInteger(rawRequested) && (rawRequested as number) >= 0 ? (rawRequested as number) : undefined;
  const choices = Number.isSafeInteger(request.n) && (request.n as number) >= 1 ? (request.n as number) : 1;
  const completionTokens = Math.min(requested ?? limit, limit) * choices;
  const perChoice = completionTokens / choices;
  const usage: TestEngineUsage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: Math.floor(promptTokens / 3) },
    completion_tokens_details: { reasoning_tokens: Math.floor(completionTokens / 10) },
  };
  const toolCall = kind === 'chat' ? testEngineToolCall(request) : undefined;
  const json = kind === 'chat' ? testEngineJsonContent(request) : undefined;
  let pieces: string[];
  if (toolCall !== undefined) pieces = [];
  else if (json !== undefined) pieces = [json];
  else if (benchmark !== undefined) pieces = new Array<string>(benchmark.chunkCount).fill('0'.repeat(benchmark.chunkBytes));
  else pieces = Array.from({ length: perChoice }, (_, index) => (index === 0 ? '' : ' ') + TEST_ENGINE_WORDS[index % TEST_ENGINE_WORDS.length]);
  const finishReason = toolCall !== undefined ? 'tool_calls' : requested !== undefined && requested <= limit ? 'length' : 'stop';
  return { usage, pieces, toolCall, finishReason: json !== undefined && finishReason === 'length' ? 'stop' : finishReason, choices };
}
