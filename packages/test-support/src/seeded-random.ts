/**
 * A replayable random source for tests and benchmarks (the chaos suite's choice of victim and
 * timing): SHA-256 over `seed:counter` from node:crypto, so the same seed gives the same
 * sequence on every machine. Not for secrets — only for choosing what a test does next.
 */
import { createHash, randomInt } from 'node:crypto';

export class SeededRandom {
  private counter = 0;

  constructor(readonly seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`seed must be a non-negative safe integer, not ${seed}`);
  }

  /** A fresh seed (printed by the caller so that the run can be replayed). */
  static freshSeed(): number {
    return randomInt(0, 2 ** 31);
  }

  /** Uniform in [0, 1). */
  next(): number {
    const digest = createHash('sha256').update(`${this.seed}:${this.counter++}`).digest();
    return digest.readUInt32BE(0) / 2 ** 32;
  }

  /** Uniform integer in [min, max] (both included). */
  integer(min: number, max: number): number {
    if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) throw new Error(`bad range [${min}, ${max}]`);
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('cannot pick from an empty list');
    return items[this.integer(0, items.length - 1)] as T;
  }
}
