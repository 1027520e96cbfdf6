/**
 * Maps errors to OpenAI-style HTTP error answers: `{"error":{"message","type","code","param"}}`
 * where `code` is the CCN_ERR_* code. Anything that is not a CocoonError becomes a 500 with a
 * generic message, so internals never leak to apps.
 */
import { isCocoonError } from '@cocoon/protocol';
import type { CocoonErrorCode } from '@cocoon/protocol';

export type OpenAiErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'insufficient_quota'
  | 'rate_limit_error'
  | 'not_found_error'
  | 'timeout'
  | 'cancelled'
  | 'service_unavailable'
  | 'server_error';

export interface OpenAiErrorBody {
  error: { message: string; type: OpenAiErrorType; code: CocoonErrorCode; param: string | null };
}

export interface OpenAiErrorAnswer {
  status: number;
  body: OpenAiErrorBody;
}

/** The OpenAI error `type` for an error code and its HTTP status. */
export function openAiErrorType(code: CocoonErrorCode, status: number): OpenAiErrorType {
  if (code === 'CCN_ERR_TIMEOUT') return 'timeout';
  if (code === 'CCN_ERR_CANCELLED') return 'cancelled';
  if (code === 'CCN_ERR_HTTP_NOT_FOUND') return 'not_found_error';
  if (status === 401) return 'authentication_error';
  if (status === 402) return 'insufficient_quota';
  if (status === 429) return 'rate_limit_error';
  if (status === 503) return 'service_unavailable';
  if (status >= 400 && status < 500) return 'invalid_request_error';
  return 'server_error';
}

/** HTTP status and OpenAI-style body for any thrown value. */
export function openAiErrorAnswer(error: unknown): OpenAiErrorAnswer {
  if (!isCocoonError(error)) {
    return { status: 500, body: { error: { message: 'internal error', type: 'server_error', code: 'CCN_ERR_INTERNAL', param: null } } };
  }
  const status = error.httpStatus;
  const type = openAiErrorType(error.code, status);
  // Internal errors may carry details of our own code paths: keep them out of answers.
  const message = error.code === 'CCN_ERR_INTERNAL' ? 'internal error' : error.message;
  return { status, body: { error: { message, type, code: error.code, param: error.param ?? null } } };
}
