/**
 * Per Telegram user request budget: a fixed one-minute window per user id (the first request opens it,
 * `requestsPerMinute` fit in it). Memory stays bounded: windows live in a Map in the order they opened, so the
 * expired ones (idle users) are dropped from its front on every admission, and beyond `maxUsers` live windows
 * the oldest is dropped (that user simply starts a new window).
 */

export interface TelegramUserRateLimiterOptions {
  requestsPerMinute: number;
  /** Live windows kept at most (default 100 000). */
  maxUsers?: number;
  /** The clock, ms. */
  now: () => number;
}

/** `retryAfterSeconds` when refused: when the user's window ends. */
export type RateDecision = { admitted: true } | { admitted: false; retryAfterSeconds: number };

const WINDOW_MS = 60_000;

interface UserWindow {
  openedAt: number;
  count: number;
}

export class TelegramUserRateLimiter {
  readonly #windows = new Map<number, UserWindow>();
  readonly #limit: number;
  readonly #maxUsers: number;
  readonly #now: () => number;

  constructor(options: TelegramUserRateLimiterOptions) {
    this.#limit = options.requestsPerMinute;
    this.#maxUsers = Math.max(1, options.maxUsers ?? 100_000);
    this.#now = options.now;
  }

  /** Counts one request of `userId` when it fits its window. */
  admit(userId: number): RateDecision {
    const now = this.#now();
    this.#evictExpired(now);
    let window = this.#windows.get(userId);
    if (window === undefined) {
      if (this.#windows.size >= this.#maxUsers) this.#windows.delete(this.#windows.keys().next().value!);
      window = { openedAt: now, count: 0 };
      this.#windows.set(userId, window);
    }
    if (window.count >= this.#limit) return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil((window.openedAt + WINDOW_MS - now) / 1000)) };
    window.count += 1;
    return { admitted: true };
  }

  /** Users with a live window (for tests and stats). */
  get trackedUsers(): number {
    return this.#windows.size;
  }

  #evictExpired(now: number): void {
    for (const [userId, window] of this.#windows) {
      if (now - window.openedAt < WINDOW_MS) return; // the rest opened later
      this.#windows.delete(userId);
    }
  }
}
