/**
 * The OpenAI-style error answer an app gets from cocoonFetch instead of a thrown error:
 * `{"error":{"message","type","code","param"}}` with the CCN_ERR_* code and the error table's HTTP
 * status (the same shape the client runner answers with), plus `x-cocoon-e2e: 1` when the failure
 * happened on the end-to-end path.
 */
import { isCocoonError } from '@cocoon/protocol/browser';
import type { CocoonError } from '@cocoon/protocol/browser';

function errorType(error: CocoonError, status: number): string {
  if (error.code === 'CCN_ERR_TIMEOUT') return 'timeout';
  if (error.code === 'CCN_ERR_CANCELLED') return 'cancelled';
  if (status === 401) return 'authentication_error';
  if (status === 402) return 'insufficient_quota';
  if (status === 503) return 'service_unavailable';
  if (status >= 400 && status < 500) return 'invalid_request_error';
  return 'server_error';
}

export function openAiErrorResponse(error: unknown, e2e: boolean): Response {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (e2e) headers['x-cocoon-e2e'] = '1';
  if (!isCocoonError(error)) {
    return new Response(JSON.stringify({ error: { message: `cocoonFetch failed: ${error instanceof Error ? error.message : String(error)}`, type: 'server_error', code: 'CCN_ERR_INTERNAL', param: null } }), { status: 500, headers });
  }
  const status = error.httpStatus;
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
  return new Response(JSON.stringify({ error: { message: error.message, type: errorType(error, status), code: error.code, param: error.param ?? null } }), { status, headers });
}
