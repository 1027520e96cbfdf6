/**
 * The one error type every `createCocoon` call fails with: `CocoonRequestError`, a CocoonError (the
 * protocol's error table: `code` CCN_ERR_*, `retryable`, `retryAfterSeconds`) with `status`, the HTTP
 * status of the failure (the answer's own status when a runner or worker answered with an error, the
 * table's otherwise), and the request id when the request was sealed. Also the mappings from what a
 * runner or worker answered (an OpenAI-style error body, or only a status) to a code.
 */
import { CocoonError, isCocoonError, isCocoonErrorCode } from '@cocoon/protocol/browser';
import type { CocoonErrorCode } from '@cocoon/protocol/browser';

export interface CocoonRequestErrorOptions {
  /** The HTTP status (default: the error table's for the code). */
  status?: number;
  param?: string;
  cause?: unknown;
  /** Hex id of the sealed request, when one was sent. */
  requestId?: string;
}

export class CocoonRequestError extends CocoonError {
  /** The HTTP status: the runner's or worker's answer, else the error table's for `code`. */
  readonly status: number;
  readonly requestId: string | undefined;

  constructor(code: CocoonErrorCode, message?: string, options: CocoonRequestErrorOptions = {}) {
    super(code, message, { ...(options.param !== undefined ? { param: options.param } : {}), ...(options.cause !== undefined ? { cause: options.cause } : {}) });
    this.name = 'CocoonRequestError';
    this.status = options.status ?? this.httpStatus;
    this.requestId = options.requestId;
  }
}

const isAbort = (error: unknown): boolean => typeof error === 'object' && error !== null && ((error as { name?: unknown }).name === 'AbortError' || (error as { code?: unknown }).code === 'ABORT_ERR');

/** Any thrown value as a CocoonRequestError (CocoonErrors keep code, message and param; an abort is CCN_ERR_CANCELLED). */
export function toCocoonRequestError(error: unknown, fallback: CocoonErrorCode = 'CCN_ERR_INTERNAL', requestId?: string): CocoonRequestError {
  if (error instanceof CocoonRequestError) return error;
  const extra = requestId !== undefined ? { requestId } : {};
  if (isCocoonError(error)) return new CocoonRequestError(error.code, error.message, { ...(error.param !== undefined ? { param: error.param } : {}), cause: error, ...extra });
  if (isAbort(error)) return new CocoonRequestError('CCN_ERR_CANCELLED', 'the request was aborted', { cause: error, ...extra });
  return new CocoonRequestError(fallback, error instanceof Error ? error.message : String(error), { cause: error, ...extra });
}

/** The code of a relay's (client runner's) refusal that names none. */
function relayCodeForStatus(status: number): CocoonErrorCode {
  switch (status) {
    case 400: return 'CCN_ERR_HTTP_BAD_REQUEST';
    case 401: return 'CCN_ERR_HTTP_UNAUTHORIZED';
    case 402: return 'CCN_ERR_BILLING_INSUFFICIENT_BALANCE';
    case 403: return 'CCN_ERR_HTTP_FORBIDDEN_ORIGIN';
    case 404: return 'CCN_ERR_E2E_UNAVAILABLE';
    case 405: return 'CCN_ERR_HTTP_METHOD_NOT_ALLOWED';
    case 408: return 'CCN_ERR_HTTP_BODY_TIMEOUT';
    case 413: return 'CCN_ERR_HTTP_BODY_TOO_LARGE';
    case 415: return 'CCN_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE';
    case 421: return 'CCN_ERR_HTTP_MISDIRECTED';
    case 429: return 'CCN_ERR_ROUTE_WORKERS_BUSY';
    case 503: return 'CCN_ERR_ROUTE_NO_WORKER';
    case 504: return 'CCN_ERR_TIMEOUT';
    default: return 'CCN_ERR_INTERNAL';
  }
}

/** The code of a worker's (its engine's) error answer that names none. */
function workerCodeForStatus(status: number): CocoonErrorCode {
  if (status === 429 || status === 503) return 'CCN_ERR_ENGINE_UNAVAILABLE';
  if (status >= 400 && status < 500) return 'CCN_ERR_WORKER_INVALID_REQUEST';
  return 'CCN_ERR_ENGINE_FAILED';
}

interface ErrorBodyFields {
  code: CocoonErrorCode | undefined;
  message: string | undefined;
  param: string | undefined;
}

/** The code, message and param of an OpenAI-style error body (`{"error":{…}}` or vLLM's `{"object":"error",…}`). */
export function readErrorBody(text: string): ErrorBodyFields {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { code: undefined, message: undefined, param: undefined };
  }
  const record = typeof value === 'object' && value !== null ? value as Record<string, unknown> : {};
  const error = typeof record.error === 'object' && record.error !== null ? record.error as Record<string, unknown> : record;
  const message = typeof error.message === 'string' ? error.message : typeof record.error === 'string' ? record.error : undefined;
  return { code: isCocoonErrorCode(error.code) ? error.code : undefined, message, param: typeof error.param === 'string' ? error.param : undefined };
}

/** The error of an answer that is not a success: `from` says who answered (the relay before sealing, or the worker inside the sealed answer). */
export function errorFromAnswer(from: 'relay' | 'worker', status: number, text: string, requestId?: string): CocoonRequestError {
  const body = readErrorBody(text);
  const code = body.code ?? (from === 'relay' ? relayCodeForStatus(status) : workerCodeForStatus(status));
  const who = from === 'relay' ? 'the client runner' : 'the worker';
  const message = body.message ?? `${who} answered HTTP ${status}${text.trim() === '' ? '' : `: ${text.slice(0, 200)}`}`;
  return new CocoonRequestError(code, message, { status, ...(body.param !== undefined ? { param: body.param } : {}), ...(requestId !== undefined ? { requestId } : {}) });
}
