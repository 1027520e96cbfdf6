/**
 * When to retry a request on another worker (beyond the reference, which never retries):
 * only while no answer byte has reached the client, only for errors the error table marks
 * retryable (worker disconnected/overloaded/disabled, no worker, engine unavailable,
 * session closed), and only while attempts remain.
 */
import { CocoonError, isRetryable } from '@cocoon/protocol';

export interface RetryPolicyOptions {
  /** Total attempts including the first (default 3; 1 = never retry). */
  maxAttempts?: number;
}

export class RetryPolicy {
  readonly maxAttempts: number;

  constructor(options: RetryPolicyOptions = {}) {
    const maxAttempts = options.maxAttempts ?? 3;
    if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1) {
      throw new CocoonError('CCN_ERR_CONFIG_INVALID', `maxAttempts must be an integer ≥ 1, got ${maxAttempts}`, { param: 'maxAttempts' });
    }
    this.maxAttempts = maxAttempts;
  }

  /**
   * @param error what the failed attempt threw or received
   * @param attempt the 1-based number of the attempt that just failed
   * @param answerStarted whether any answer byte was already sent to the client
   */
  shouldRetry(error: unknown, attempt: number, answerStarted: boolean): boolean {
    if (answerStarted) return false;
    if (attempt >= this.maxAttempts) return false;
    return isRetryable(error);
  }
}
