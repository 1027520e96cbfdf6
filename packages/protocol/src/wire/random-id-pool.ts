/**
 * Random identifiers (request ids, query ids) drawn from a pooled CSPRNG buffer: one
 * `randomFillSync` per 4 KiB instead of one per id, which matters on the request hot path.
 */
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
let pool = Buffer.allocUnsafe(0);
let offset = 0;

/** `count` fresh random bytes (a copy: callers may keep it). */
export function randomIdBytes(count: number): Buffer {
  if (count > POOL_BYTES) return randomFillSync(Buffer.allocUnsafe(count));
  if (offset + count > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_BYTES));
    offset = 0;
  }
  const bytes = Buffer.from(pool.subarray(offset, offset + count));
  pool.fill(0, offset, offset + count);
  offset += count;
  return bytes;
}
