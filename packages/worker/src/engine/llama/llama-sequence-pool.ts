/**
 * Lends the context sequences of one llama.cpp context to requests: one sequence per
 * running generation (so `sequences` is the engine's concurrency), FIFO waiting when all
 * are busy, and waiters leave the queue when their request is aborted. A sequence keeps its
 * KV cache between requests, which is what makes prompt-prefix reuse (cached tokens) work.
 */
import type { LlamaContextSequence } from 'node-llama-cpp';

interface Waiter {
  resolve: (sequence: LlamaContextSequence) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

export class LlamaSequencePool {
  readonly #idle: LlamaContextSequence[];
  readonly #waiters: Waiter[] = [];
  readonly #size: number;
  #closed = false;

  constructor(sequences: readonly LlamaContextSequence[]) {
    this.#idle = [...sequences];
    this.#size = sequences.length;
  }

  /** Sequences currently generating. */
  get busy(): number {
    return this.#size - this.#idle.length;
  }

  /** Requests waiting for a sequence. */
  get waiting(): number {
    return this.#waiters.length;
  }

  acquire(signal?: AbortSignal): Promise<LlamaContextSequence> {
    if (this.#closed) return Promise.reject(new Error('llama engine is closed'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    const sequence = this.#idle.pop();
    if (sequence !== undefined) return Promise.resolve(sequence);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.#waiters.indexOf(waiter);
          if (index >= 0) this.#waiters.splice(index, 1);
          reject(signal?.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  release(sequence: LlamaContextSequence): void {
    const waiter = this.#waiters.shift();
    if (waiter === undefined) {
      this.#idle.push(sequence);
      return;
    }
    waiter.signal?.removeEventListener('abort', waiter.onAbort);
    waiter.resolve(sequence);
  }

  /** Fails every waiter; later acquisitions fail too. */
  close(): void {
    this.#closed = true;
    for (const waiter of this.#waiters.splice(0)) {
      waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.reject(new Error('llama engine is closed'));
    }
  }
}
