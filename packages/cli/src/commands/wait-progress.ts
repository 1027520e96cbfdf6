/**
 * Progress while the CLI waits for something on chain: on a terminal one line rewritten in
 * place (`\r… 4 s`), otherwise a plain line when the wait starts and one every `plainEveryMs`.
 * Clock, timer and output are injectable so tests drive it without waiting.
 */

export interface ProgressOutput {
  /** Writes raw text (no newline added). */
  write(text: string): void;
  /** True on a terminal: the line is rewritten in place. */
  isTTY: boolean;
}

export interface ProgressTimers {
  now(): number;
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const realProgressTimers: ProgressTimers = {
  now: () => Date.now(),
  setInterval: (callback, ms) => {
    const handle = setInterval(callback, ms);
    handle.unref();
    return handle;
  },
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

export interface WaitProgressOptions {
  output: ProgressOutput;
  timers?: ProgressTimers;
  /** Terminal refresh period. Default 250 ms. */
  tickMs?: number;
  /** Without a terminal: one line this often. Default 10 s. */
  plainEveryMs?: number;
}

export class WaitProgress {
  private readonly timers: ProgressTimers;
  private readonly tickMs: number;
  private readonly plainEveryMs: number;

  constructor(private readonly options: WaitProgressOptions) {
    this.timers = options.timers ?? realProgressTimers;
    this.tickMs = options.tickMs ?? 250;
    this.plainEveryMs = options.plainEveryMs ?? 10_000;
  }

  /** Runs `work`, showing `label` with the elapsed seconds until it settles; ends with `done`/`failed` and the time taken. */
  async track<T>(label: string, work: () => Promise<T>): Promise<T> {
    const { output } = this.options;
    const started = this.timers.now();
    const elapsed = (): string => `${Math.floor((this.timers.now() - started) / 1000)} s`;
    let lastPlain = started;
    if (output.isTTY) output.write(`${label}... 0 s`);
    else output.write(`${label}...\n`);
    const handle = this.timers.setInterval(() => {
      if (output.isTTY) output.write(`\r\x1b[2K${label}... ${elapsed()}`);
      else if (this.timers.now() - lastPlain >= this.plainEveryMs) {
        lastPlain = this.timers.now();
        output.write(`${label}... still waiting (${elapsed()})\n`);
      }
    }, this.tickMs);
    try {
      const result = await work();
      output.write(output.isTTY ? `\r\x1b[2K${label}: done in ${elapsed()}\n` : `${label}: done in ${elapsed()}\n`);
      return result;
    } catch (error) {
      output.write(output.isTTY ? `\r\x1b[2K${label}: failed after ${elapsed()}\n` : `${label}: failed after ${elapsed()}\n`);
      throw error;
    } finally {
      this.timers.clearInterval(handle);
    }
  }
}
