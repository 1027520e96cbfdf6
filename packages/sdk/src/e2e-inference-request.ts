/**
 * Reads an OpenAI-style inference request the way the client runner would (§4.1) before it is sealed:
 * a JSON object with a string `model`; the client-only fields (`max_coefficient`, `timeout`,
 * `enable_debug`, `request_guid`, `cocoon_e2e`) are read and removed, `max_completion_tokens` wins
 * over `max_tokens`; everything else is sealed as is (the worker validates it after opening).
 */
import { CocoonError } from '@cocoon/protocol/browser';

/** The client runner's defaults (client config default_max_tokens, default_max_coefficient, default_timeout_seconds). */
export const E2E_REQUEST_DEFAULTS = { maxTokens: 1000, maxCoefficient: 4000, timeoutMs: 120_000 } as const;

export interface E2eInferenceRequest {
  model: string;
  /** The JSON body to seal (client-only fields removed). */
  body: Uint8Array;
  maxTokens: number;
  maxCoefficient: number;
  timeoutMs: number;
  /** Whether the app asked for an SSE answer. */
  stream: boolean;
}

const INT32_MAX = 2_147_483_647;
const invalid = (param: string, message: string): CocoonError => new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', `'${param}' ${message}`, { param });

function count(fields: Record<string, unknown>, name: string): number | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > INT32_MAX) throw invalid(name, `must be an integer in [0, ${INT32_MAX}]`);
  return value;
}

export function readE2eInferenceRequest(text: string): E2eInferenceRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', 'the request body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', 'the request body must be a JSON object');
  const fields = parsed as Record<string, unknown>;
  if (typeof fields.model !== 'string' || fields.model === '') throw invalid('model', 'must be a non-empty string');
  const maxTokens = count(fields, 'max_completion_tokens') ?? count(fields, 'max_tokens') ?? E2E_REQUEST_DEFAULTS.maxTokens;
  if (fields.max_completion_tokens !== undefined) delete fields.max_tokens;
  const maxCoefficient = count(fields, 'max_coefficient') ?? E2E_REQUEST_DEFAULTS.maxCoefficient;
  let timeoutMs: number = E2E_REQUEST_DEFAULTS.timeoutMs;
  if (fields.timeout !== undefined) {
    if (typeof fields.timeout !== 'number' || !Number.isFinite(fields.timeout) || fields.timeout <= 0 || fields.timeout > 86_400) throw invalid('timeout', 'must be a positive number of seconds, at most 86400');
    timeoutMs = Math.round(fields.timeout * 1000);
  }
  for (const name of ['max_coefficient', 'timeout', 'enable_debug', 'request_guid', 'cocoon_e2e']) delete fields[name];
  return { model: fields.model, body: new TextEncoder().encode(JSON.stringify(fields)), maxTokens, maxCoefficient, timeoutMs, stream: fields.stream === true };
}
