/**
 * Parses the tool and structured-output parts of an OpenAI chat request for the llama engine:
 * `tools` (function tools, their JSON Schema parameters turned into grammar schemas),
 * `tool_choice` (none, auto, required, a named function), the `tool_calls` of assistant
 * messages and `response_format` (text, json_object, json_schema).
 */
import type { GbnfJsonSchema } from 'node-llama-cpp';
import { invalidRequest, unsupportedParameter } from './llama-request-error.ts';
import { toGrammarSchema } from './llama-json-schema.ts';

export interface LlamaTool {
  name: string;
  description: string | undefined;
  /** Grammar schema of the arguments (an object). */
  parameters: GbnfJsonSchema;
}

export type LlamaToolChoice = { mode: 'none' | 'auto' | 'required' } | { mode: 'function'; name: string };

export interface LlamaToolCallRecord {
  id: string;
  name: string;
  /** The arguments, parsed when they are JSON, else the raw string. */
  params: unknown;
}

export type LlamaResponseFormat = { type: 'text' } | { type: 'json'; schema: GbnfJsonSchema };

type JsonObject = Record<string, unknown>;
const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_TOOLS = 128;
const NO_ARGUMENTS: GbnfJsonSchema = { type: 'object', properties: {} };

export function parseTools(value: unknown): LlamaTool[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidRequest("'tools' must be an array", 'tools');
  if (value.length > MAX_TOOLS) throw invalidRequest(`'tools' may hold at most ${MAX_TOOLS} tools`, 'tools');
  const names = new Set<string>();
  return value.map((tool, index): LlamaTool => {
    const param = `tools[${index}]`;
    if (!isObject(tool)) throw invalidRequest(`'${param}' must be an object`, param);
    if (tool.type !== 'function') throw unsupportedParameter(`'${param}.type' ${JSON.stringify(tool.type)}: only function tools are supported by the llama engine`, `${param}.type`);
    const definition = tool.function;
    if (!isObject(definition)) throw invalidRequest(`'${param}.function' must be an object`, `${param}.function`);
    const name = definition.name;
    if (typeof name !== 'string' || !FUNCTION_NAME.test(name)) throw invalidRequest(`'${param}.function.name' must be 1-64 letters, digits, '_' or '-'`, `${param}.function.name`);
    if (names.has(name)) throw invalidRequest(`'${param}.function.name' ${name} is given twice`, `${param}.function.name`);
    names.add(name);
    if (definition.description !== undefined && typeof definition.description !== 'string') throw invalidRequest(`'${param}.function.description' must be a string`, `${param}.function.description`);
    const parameters = definition.parameters === undefined || definition.parameters === null
      ? NO_ARGUMENTS
      : toGrammarSchema(definition.parameters, `${param}.function.parameters`, definition.strict === true);
    if ((parameters as { type?: unknown }).type !== 'object') throw invalidRequest(`'${param}.function.parameters' must describe an object`, `${param}.function.parameters`);
    return { name, description: definition.description as string | undefined, parameters };
  });
}

export function parseToolChoice(value: unknown, tools: readonly LlamaTool[]): LlamaToolChoice {
  if (value === undefined || value === null) return { mode: tools.length > 0 ? 'auto' : 'none' };
  if (value === 'none' || value === 'auto' || value === 'required') {
    if (value !== 'none' && tools.length === 0) throw invalidRequest(`'tool_choice' ${value} needs 'tools'`, 'tool_choice');
    return { mode: value };
  }
  const name = isObject(value) && value.type === 'function' && isObject(value.function) ? value.function.name : undefined;
  if (typeof name !== 'string') throw invalidRequest("'tool_choice' must be 'none', 'auto', 'required' or {type: 'function', function: {name}}", 'tool_choice');
  if (!tools.some((tool) => tool.name === name)) throw invalidRequest(`'tool_choice' names ${name}, which is not in 'tools'`, 'tool_choice.function.name');
  return { mode: 'function', name };
}

/** The `tool_calls` of an assistant message. */
export function parseAssistantToolCalls(value: unknown, param: string): LlamaToolCallRecord[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalidRequest(`'${param}' must be an array`, param);
  return value.map((call, index): LlamaToolCallRecord => {
    const at = `${param}[${index}]`;
    if (!isObject(call) || !isObject(call.function)) throw invalidRequest(`'${at}' must be {id, type: 'function', function: {name, arguments}}`, at);
    if (typeof call.id !== 'string' || call.id.length === 0) throw invalidRequest(`'${at}.id' must be a non-empty string`, `${at}.id`);
    const { name, arguments: args } = call.function;
    if (typeof name !== 'string' || name.length === 0) throw invalidRequest(`'${at}.function.name' must be a non-empty string`, `${at}.function.name`);
    if (args !== undefined && typeof args !== 'string') throw invalidRequest(`'${at}.function.arguments' must be a string`, `${at}.function.arguments`);
    let params: unknown = args ?? '';
    try {
      params = JSON.parse(args ?? '{}');
    } catch {
      // kept as the raw string: the model sees what it sent
    }
    return { id: call.id, name, params };
  });
}

export function parseResponseFormat(value: unknown): LlamaResponseFormat {
  if (value === undefined || value === null) return { type: 'text' };
  if (!isObject(value)) throw invalidRequest("'response_format' must be an object", 'response_format');
  switch (value.type) {
    case 'text':
      return { type: 'text' };
    case 'json_object':
      return { type: 'json', schema: { type: 'object', additionalProperties: true } as GbnfJsonSchema };
    case 'json_schema': {
      const definition = value.json_schema;
      if (!isObject(definition)) throw invalidRequest("'response_format.json_schema' must be an object", 'response_format.json_schema');
      if (definition.schema === undefined) return { type: 'json', schema: { type: 'object', additionalProperties: true } as GbnfJsonSchema };
      return { type: 'json', schema: toGrammarSchema(definition.schema, 'response_format.json_schema.schema', definition.strict === true) };
    }
    default:
      throw unsupportedParameter(`'response_format.type' ${JSON.stringify(value.type)} is not supported (text, json_object, json_schema)`, 'response_format.type');
  }
}
