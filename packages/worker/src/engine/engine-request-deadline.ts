/**
 * Deadline and cancellation of one engine request, and the mapping of transport errors
 * to COCOON error codes: unreachable engine → CCN_ERR_ENGINE_UNAVAILABLE, deadline →
 * CCN_ERR_TIMEOUT, caller abort → CCN_ERR_CANCELLED, anything else → CCN_ERR_ENGINE_FAILED.
 */
import { CocoonError, isCocoonError } from '@cocoon/protocol';

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
]);
const TIMEOUT_ERROR_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function errorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (CONNECTION_ERROR_CODES.has(code) || TIMEOUT_ERROR_CODES.has(code))) return code;
  }
  return undefined;
}

/** Maps a transport error of an engine request to a CocoonError. */
export function toEngineError(error: unknown): CocoonError {
  if (isCocoonError(error)) return error;
  const code = errorCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  if (code !== undefined && TIMEOUT_ERROR_CODES.has(code)) {
    return new CocoonError('CCN_ERR_TIMEOUT', `inference engine timed out: ${detail}`, { cause: error });
  }
  if (code !== undefined) {
    return new CocoonError('CCN_ERR_ENGINE_UNAVAILABLE', `inference engine unavailable: ${detail}`, { cause: error });
  }
  return new CocoonError('CCN_ERR_ENGINE_FAILED', `inference engine failed: ${detail}`, { cause: error });
}

/** One request's deadline timer plus the caller's signal, combined into one AbortSignal. */
export class EngineRequestDeadline {
  readonly #controller = new AbortController();
  readonly #callerSignal: AbortSignal | undefined;
  readonly #timer: ReturnType<typeof setTimeout>;
  #timedOut = false;
  readonly #onCallerAbort = (): void => this.#controller.abort(this.#callerSignal?.reason);

  constructor(timeoutMs: number, callerSignal?: AbortSignal) {
    this.#callerSignal = callerSignal;
    this.#timer = setTimeout(() => {
      this.#timedOut = true;
      this.#controller.abort(new CocoonError('CCN_ERR_TIMEOUT', `inference engine did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    this.#timer.unref();
    if (callerSignal?.aborted) this.#onCallerAbort();
    else callerSignal?.addEventListener('abort', this.#onCallerAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The error to report for `error`, taking the deadline and caller abort into account. */
  toError(error: unknown): CocoonError {
    if (this.#timedOut) {
      return new CocoonError('CCN_ERR_TIMEOUT', 'worker: timeout (inference engine)', { cause: error });
    }
    if (this.#callerSignal?.aborted) {
      return new CocoonError('CCN_ERR_CANCELLED', 'inference engine request cancelled', { cause: error });
    }
    return toEngineError(error);
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#callerSignal?.removeEventListener('abort', this.#onCallerAbort);
  }
}
