/**
 * Parses and checks an inference request body once (§4.1): it must be a JSON object with a
 * non-empty string `model`, within the strict JSON limits (depth, values, no duplicate keys); the
 * client-only fields (`max_coefficient`, `timeout`, `enable_debug`, `request_guid`, `cocoon_e2e` §22) are type-checked
 * and removed; `max_completion_tokens` wins over `max_tokens` (which is then deleted). Everything
 * else is kept as is (the worker validates it). `receiver_public_key` (an encrypted request, §20: 64 hex
 * digits, 44 base64 characters or 32 raw bytes, as the reference reads it) is read and kept in the body:
 * the worker needs the envelope. `provider` (the app's routing preferences, §4.4: sort, max_price,
 * allow_fallbacks) is checked and removed; with `max_price` and no `max_coefficient` the price alone limits.
 */
import { CocoonError, parseCheckedJson, parseEncryptionPublicKey } from '@cocoon/protocol';
import { parseProviderPreferences, type ProviderPreferences } from '../routing/provider-preferences.ts';

export interface InferenceDefaults {
  maxCoefficient: number;
  maxTokens: number;
  timeoutSeconds: number;
}

export const DEFAULT_INFERENCE_SETTINGS: InferenceDefaults = { maxCoefficient: 4000, maxTokens: 1000, timeoutSeconds: 120 };

/** Largest value a TL `int` carries; coefficients and token limits travel as such. */
const INT32_MAX = 2_147_483_647;
/** Longest accepted `timeout` (one day): keeps timers well inside setTimeout's range. */
const MAX_TIMEOUT_SECONDS = 86_400;

export interface ParsedInferenceRequest {
  /** The body to forward, re-serialized once after removing client-only fields. */
  body: Buffer;
  model: string;
  maxCoefficient: number;
  maxTokens: number;
  timeoutMs: number;
  enableDebug: boolean;
  requestGuid: string | undefined;
  /** Whether the app asked for an SSE answer. */
  stream: boolean;
  /** `receiver_public_key`: the request is encrypted to this key (it goes in `client.runQueryEx.public_key`). */
  receiverPublicKey?: Buffer;
  /** `cocoon_e2e: true` (§22): the app requires end-to-end encryption (the field is removed). */
  requireE2e: boolean;
  /** `provider` (§4.4): sort, max_price, allow_fallbacks (the field is removed). */
  provider?: ProviderPreferences;
}

function invalid(param: string, message: string): CocoonError {
  return new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', `'${param}' ${message}`, { param });
}

function readCount(fields: Record<string, unknown>, name: string): number | undefined {
  const value = fields[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw invalid(name, 'must be a non-negative integer');
  if (value > INT32_MAX) throw invalid(name, `must be at most ${INT32_MAX}`);
  return value;
}

function readTimeoutSeconds(fields: Record<string, unknown>): number | undefined {
  const value = fields['timeout'];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw invalid('timeout', 'must be a positive number of seconds');
  if (value > MAX_TIMEOUT_SECONDS) throw invalid('timeout', `must be at most ${MAX_TIMEOUT_SECONDS} seconds`);
  return value;
}

function readBoolean(fields: Record<string, unknown>, name: string): boolean | undefined {
  const value = fields[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw invalid(name, 'must be a boolean');
  return value;
}

function readString(fields: Record<string, unknown>, name: string): string | undefined {
  const value = fields[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(name, 'must be a string');
  return value;
}

/** `receiver_public_key` in any of its three forms; a malformed one is a 400 naming the field. */
function readPublicKey(fields: Record<string, unknown>): Buffer | undefined {
  const value = readString(fields, 'receiver_public_key');
  if (value === undefined) return undefined;
  const key = parseEncryptionPublicKey(value);
  if (key === undefined) throw new CocoonError('CCN_ERR_ENCRYPTION_BAD_PUBLIC_KEY', undefined, { param: 'receiver_public_key' });
  return Buffer.from(key);
}

/** Depth, size and duplicate keys are checked before JSON.parse (400 CCN_ERR_HTTP_JSON_*). */
function parseObject(raw: Buffer): Record<string, unknown> {
  const value = parseCheckedJson(raw);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CocoonError('CCN_ERR_HTTP_BAD_JSON', 'request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

/** Parses, checks and rewrites an inference request body; throws a 400 CocoonError naming the field. */
export function parseInferenceRequest(raw: Buffer, defaults: InferenceDefaults = DEFAULT_INFERENCE_SETTINGS): ParsedInferenceRequest {
  const fields = parseObject(raw);
  const model = fields['model'];
  if (typeof model !== 'string' || model.length === 0) throw invalid('model', 'must be a non-empty string');

  const provider = parseProviderPreferences(fields['provider']);
  // max_price alone sets the limit (the gateway maps it at the network price); with both, the lower wins.
  const maxCoefficient = readCount(fields, 'max_coefficient') ?? (provider?.maxPriceNanoton === undefined ? defaults.maxCoefficient : INT32_MAX);
  const timeoutSeconds = readTimeoutSeconds(fields) ?? defaults.timeoutSeconds;
  const enableDebug = readBoolean(fields, 'enable_debug') ?? false;
  const requestGuid = readString(fields, 'request_guid');
  const maxTokensField = readCount(fields, 'max_tokens');
  const maxCompletionTokens = readCount(fields, 'max_completion_tokens');
  const receiverPublicKey = readPublicKey(fields);
  const requireE2e = readBoolean(fields, 'cocoon_e2e') ?? false;

  delete fields['max_coefficient'];
  delete fields['timeout'];
  delete fields['enable_debug'];
  delete fields['request_guid'];
  delete fields['cocoon_e2e'];
  delete fields['provider'];
  if (maxCompletionTokens !== undefined) delete fields['max_tokens'];

  return {
    body: Buffer.from(JSON.stringify(fields), 'utf8'),
    model,
    maxCoefficient,
    maxTokens: maxCompletionTokens ?? maxTokensField ?? defaults.maxTokens,
    timeoutMs: Math.max(1, Math.round(timeoutSeconds * 1000)),
    enableDebug,
    requestGuid,
    stream: fields['stream'] === true || (fields['stream'] === undefined && fields['stream_options'] !== undefined),
    requireE2e,
    ...(receiverPublicKey ? { receiverPublicKey } : {}),
    ...(provider ? { provider } : {}),
  };
}
