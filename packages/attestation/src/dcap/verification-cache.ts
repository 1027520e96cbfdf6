/**
 * Bounded cache of successful quote verifications, keyed by SHA-256 of the quote (§7.3: the
 * reference caches 10 000 entries). An entry is served only while the caller's clock is before the
 * expiry of the collateral it was verified with; the least recently used entry is evicted first.
 * Browser-safe.
 */
import { sha256 } from '@noble/hashes/sha2.js';

interface CacheEntry<T> {
  readonly value: T;
  readonly expiresAtMs: number;
}

export class VerificationCache<T> {
  private readonly entries = new Map<string, CacheEntry<T>>();

  constructor(private readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 0) throw new RangeError('cache size must be a non-negative integer');
  }

  static keyOf(quote: Uint8Array): string {
    return Buffer.from(sha256(quote)).toString('hex');
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string, now: Date): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (now.getTime() > entry.expiresAtMs) return undefined;
    this.entries.set(key, entry); // most recently used last
    return entry.value;
  }

  set(key: string, value: T, expiresAt: Date): void {
    if (this.capacity === 0) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAtMs: expiresAt.getTime() });
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
