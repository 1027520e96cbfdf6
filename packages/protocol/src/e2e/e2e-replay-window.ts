/**
 * The worker's replay guard for end-to-end requests (§22): a request is refused when its created_at
 * is more than the window away from now (either way), or when its request_id was accepted before.
 * Memory is bounded: ids older than the window are dropped, and when the set is full the oldest
 * remembered id is evicted and the acceptance floor rises to its created_at, so an evicted id can
 * never come back (at worst, requests older than the floor are refused early).
 */
export type E2eReplayVerdict = 'ok' | 'stale' | 'seen';

export interface E2eReplayWindowOptions {
  /** Milliseconds either side of now a request's created_at may be (default 300 000). */
  windowMs?: number;
  /** Ids remembered at most (default 100 000). */
  maxRemembered?: number;
}

export class E2eReplayWindow {
  readonly windowMs: number;
  private readonly maxRemembered: number;
  /** Request id (hex) → created_at, in acceptance order. */
  private readonly seen = new Map<string, number>();
  /** Requests created at or before this were possibly evicted: refused. */
  private floorMs = Number.NEGATIVE_INFINITY;

  constructor(options: E2eReplayWindowOptions = {}) {
    this.windowMs = options.windowMs ?? 300_000;
    this.maxRemembered = Math.max(1, options.maxRemembered ?? 100_000);
  }

  get size(): number {
    return this.seen.size;
  }

  /** Whether a request may be accepted now (does not remember it). */
  check(requestId: string, createdAtMs: number, nowMs: number): E2eReplayVerdict {
    if (!Number.isFinite(createdAtMs) || Math.abs(nowMs - createdAtMs) > this.windowMs || createdAtMs <= this.floorMs) return 'stale';
    return this.seen.has(requestId) ? 'seen' : 'ok';
  }

  /** Checks and, when ok, remembers the request in one step. */
  accept(requestId: string, createdAtMs: number, nowMs: number): E2eReplayVerdict {
    this.prune(nowMs);
    const verdict = this.check(requestId, createdAtMs, nowMs);
    if (verdict !== 'ok') return verdict;
    this.seen.set(requestId, createdAtMs);
    while (this.seen.size > this.maxRemembered) {
      const [oldestId, oldestCreatedAt] = this.seen.entries().next().value as [string, number];
      this.seen.delete(oldestId);
      this.floorMs = Math.max(this.floorMs, oldestCreatedAt);
    }
    return 'ok';
  }

  /** Drops ids that the time check alone now refuses (from the oldest accepted, while they are expired). */
  private prune(nowMs: number): void {
    for (const [id, createdAt] of this.seen) {
      if (nowMs - createdAt <= this.windowMs) break;
      this.seen.delete(id);
    }
  }
}
