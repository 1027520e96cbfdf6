/**
 * Retry policy for chain API calls made through @ton/ton (axios underneath): transient
 * failures (no answer, timeouts, 429, 5xx gateway errors, and 500 except for sendBoc)
 * are retried a few times with backoff, then become CCN_ERR_TON_UNAVAILABLE; answers that
 * reject the request become CCN_ERR_TON_TRANSACTION_FAILED.
 */
import { CocoonError, isCocoonError } from '@cocoon/protocol';

export interface ChainRetryPolicy {
  /** Total attempts, first one included. Default 4. */
  attempts?: number;
  /** Delay before the first retry; doubles each time. Default 500 ms. */
  retryDelayMs?: number;
  /** Injectable for tests. */
  sleep?: (milliseconds: number) => Promise<void>;
}

interface HttpFailure {
  /** HTTP status, or undefined when no answer came back. */
  status: number | undefined;
  /** The API's error text when it sent one. */
  detail: string;
}

const TRANSIENT_STATUSES = new Set([408, 429, 502, 503, 504]);

/** Runs `operation` with retries; `what` names it in errors (e.g. 'sendBoc'). */
export async function withChainRetries<T>(what: string, policy: ChainRetryPolicy, operation: () => Promise<T>): Promise<T> {
  const attempts = Math.max(1, policy.attempts ?? 4);
  const sleep = policy.sleep ?? ((milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds)));
  let delay = policy.retryDelayMs ?? 500;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (isCocoonError(error)) throw error;
      const failure = describeFailure(error);
      const transient = failure.status === undefined || TRANSIENT_STATUSES.has(failure.status) || (failure.status >= 500 && what !== 'sendBoc');
      if (!transient) {
        if (failure.status === 401 || failure.status === 403) {
          throw new CocoonError('CCN_ERR_TON_UNAVAILABLE', `chain API refused ${what} (HTTP ${failure.status}): check the API key`, { cause: error });
        }
        throw new CocoonError('CCN_ERR_TON_TRANSACTION_FAILED', `${what} rejected by the chain API (HTTP ${failure.status}): ${failure.detail}`, { cause: error });
      }
      if (attempt >= attempts) {
        const status = failure.status === undefined ? 'no answer' : `HTTP ${failure.status}`;
        throw new CocoonError('CCN_ERR_TON_UNAVAILABLE', `chain API unavailable for ${what} after ${attempts} attempts (${status}): ${failure.detail}`, { cause: error });
      }
      await sleep(delay);
      delay *= 2;
    }
  }
}

/** Reads status and error text out of an axios error (duck-typed) or any other failure. */
function describeFailure(error: unknown): HttpFailure {
  const candidate = error as { response?: { status?: unknown; data?: unknown }; message?: unknown } | null;
  const response = candidate?.response;
  const message = typeof candidate?.message === 'string' ? candidate.message : String(error);
  if (!response || typeof response.status !== 'number') {
    // No HTTP answer (refused, reset, timeout) — or TonClient complaining about a 200 answer.
    const malformed = message.startsWith('Malformed response') || message.startsWith('Received error');
    return { status: malformed ? 502 : undefined, detail: message };
  }
  const data = response.data as { error?: unknown } | string | undefined;
  const detail = typeof data === 'object' && data !== null && typeof data.error === 'string' ? data.error : typeof data === 'string' && data !== '' ? data.slice(0, 200) : message;
  return { status: response.status, detail };
}
