/**
 * Runs the whisper engine's transcriptions one at a time, in arrival order. A job whose signal
 * aborts while it waits leaves the line at once (its turn passes on when the job before it ends);
 * a running job is ended by its own signal (the runtime rejects on abort). `drain` waits for all.
 */

export class WhisperJobQueue {
  #tail: Promise<void> = Promise.resolve();
  #waiting = 0;
  #busy = false;

  get waiting(): number {
    return this.#waiting;
  }

  get busy(): boolean {
    return this.#busy;
  }

  async run<T>(task: () => Promise<T>, signal: AbortSignal): Promise<T> {
    const previous = this.#tail;
    let release: () => void = () => {};
    this.#tail = new Promise<void>((resolve) => (release = resolve));
    this.#waiting += 1;
    try {
      await waitUnlessAborted(previous, signal);
    } catch (error) {
      void previous.then(release);
      throw error;
    } finally {
      this.#waiting -= 1;
    }
    this.#busy = true;
    try {
      return await task();
    } finally {
      this.#busy = false;
      release();
    }
  }

  /** Resolves once every job queued so far has ended. */
  drain(): Promise<void> {
    return this.#tail;
  }
}

function waitUnlessAborted(turn: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    void turn.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}
