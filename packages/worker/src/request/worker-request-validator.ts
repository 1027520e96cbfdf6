/**
 * Validates and rewrites an inference request before the worker forwards it to its
 * engine (§4.6, `validate_modify_request`): exact path, POST, a JSON object within the shared
 * structure limits (depth, values; @cocoon/protocol's checker) without duplicate or unknown keys,
 * typed options, the worker's model. Streaming requests get `stream_options.include_usage = true`
 * so SSE answers carry usage and can be billed (the reference bills 0 there). Parses once and
 * stringifies at most once (hot path).
 */
import { CocoonError, describeJsonStructureProblem, findJsonStructureProblem } from '@cocoon/protocol';
import {
  CHAT_OPTION_RULES,
  CHAT_REQUIRED_OPTIONS,
  COMPLETION_OPTION_RULES,
  COMPLETION_REQUIRED_OPTIONS,
  isPlainObject,
} from './request-option-rules.ts';
import type { OptionChecker } from './request-option-rules.ts';

export type WorkerRequestKind = 'chat' | 'completion';

export interface WorkerRequestInput {
  method: string;
  url: string;
  body: Buffer;
  modelBaseName: string;
}

export interface ValidatedWorkerRequest {
  /** The body to forward (the input buffer itself when nothing had to change). */
  body: Buffer;
  stream: boolean;
  kind: WorkerRequestKind;
}

export const CHAT_COMPLETIONS_PATH = '/v1/chat/completions';
export const COMPLETIONS_PATH = '/v1/completions';

function invalid(reason: string, param?: string): CocoonError {
  return new CocoonError('CCN_ERR_WORKER_INVALID_REQUEST', `worker: invalid http request: ${reason}`, { param });
}

function requestKind(url: string): WorkerRequestKind {
  if (url === CHAT_COMPLETIONS_PATH) return 'chat';
  if (url === COMPLETIONS_PATH) return 'completion';
  throw invalid('unsupported method', 'url');
}

/** JSON.parse, or undefined when the text is not JSON (JSON.parse itself never returns undefined). */
function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The shared strict checker runs before JSON.parse: deep, huge or duplicate-key bodies never reach the engine. */
function parseObject(body: Buffer): Record<string, unknown> {
  const problem = findJsonStructureProblem(body);
  if (problem?.kind === 'duplicate_key') throw invalid(`duplicate key '${problem.key}'`, problem.key);
  if (problem?.kind === 'too_deep' || problem?.kind === 'too_complex') throw invalid(`JSON ${describeJsonStructureProblem(problem)}`, 'body');
  const parsed = problem === undefined ? parseOrUndefined(body.toString('utf8')) : undefined;
  if (parsed === undefined) throw invalid('body is not valid JSON', 'body');
  if (!isPlainObject(parsed)) throw invalid('body must be a JSON object', 'body');
  return parsed;
}

function checkOptions(request: Record<string, unknown>, rules: Readonly<Record<string, OptionChecker>>, required: readonly string[]): void {
  for (const name of Object.keys(request)) {
    const checker = Object.hasOwn(rules, name) ? rules[name] : undefined;
    if (checker === undefined) throw invalid(`unknown option '${name}'`, name);
    const reason = checker(request[name], name);
    if (reason !== undefined) throw invalid(reason, name);
  }
  for (const name of required) {
    if (!Object.hasOwn(request, name)) throw invalid(`missing required option '${name}'`, name);
  }
}

/** Applies the stream rewrite rules; returns whether the body changed. */
function rewriteStreamOptions(request: Record<string, unknown>): boolean {
  let changed = false;
  if (request.stream_options !== undefined && request.stream === undefined) {
    request.stream = true;
    changed = true;
  }
  if (request.stream === true) {
    const options = (request.stream_options ?? {}) as Record<string, unknown>;
    if (options.include_usage !== true) {
      request.stream_options = { ...options, include_usage: true };
      changed = true;
    }
  } else if (request.stream_options !== undefined) {
    delete request.stream_options;
    changed = true;
  }
  return changed;
}

/** Validates the request and returns the body to forward; throws CCN_ERR_WORKER_INVALID_REQUEST. */
export function validateWorkerRequest(input: WorkerRequestInput): ValidatedWorkerRequest {
  const kind = requestKind(input.url);
  if (input.method.toUpperCase() !== 'POST') throw invalid(`method must be POST, got ${input.method}`, 'method');
  const request = parseObject(input.body);
  if (kind === 'chat') checkOptions(request, CHAT_OPTION_RULES, CHAT_REQUIRED_OPTIONS);
  else checkOptions(request, COMPLETION_OPTION_RULES, COMPLETION_REQUIRED_OPTIONS);
  if (request.model !== input.modelBaseName) throw invalid('model name mismatch', 'model');
  const changed = rewriteStreamOptions(request);
  const body = changed ? Buffer.from(JSON.stringify(request), 'utf8') : input.body;
  return { body, stream: request.stream === true, kind };
}
