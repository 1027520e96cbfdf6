/**
 * The one cleanup stack of a runner's start-up: each step that opens something (a chain client,
 * a listener, a timer, an engine) pushes how to release it; a failed start-up unwinds what was
 * opened so far, and the running runner's close() unwinds everything — newest first, each release
 * run once even if another one fails, the first failure reported after all have run.
 */
export type Release = () => void | Promise<void>;

export class CleanupStack {
  private readonly releases: Array<{ name: string; release: Release }> = [];
  private unwinding: Promise<void> | undefined;

  /** Registers `release` for what was just opened; returns `value` so steps can write `stack.push(x, () => x.close())`. */
  push<T>(value: T, release: Release, name = 'resource'): T {
    if (this.unwinding) throw new Error(`cleanup stack already unwound: cannot register ${name}`);
    this.releases.push({ name, release });
    return value;
  }

  /** Registers a release with no value (e.g. a timer). */
  defer(release: Release, name = 'resource'): void {
    this.push(undefined, release, name);
  }

  get size(): number {
    return this.releases.length;
  }

  /** Releases everything, newest first; idempotent (a second call returns the same promise). */
  unwind(): Promise<void> {
    this.unwinding ??= this.runReleases();
    return this.unwinding;
  }

  /**
   * Runs `start` with this stack; when it throws, unwinds what it had opened and rethrows the start-up error
   * (a release failing during that unwind does not hide it).
   */
  async guard<T>(start: (stack: CleanupStack) => Promise<T>): Promise<T> {
    try {
      return await start(this);
    } catch (error) {
      await this.unwind().catch(() => undefined);
      throw error;
    }
  }

  private async runReleases(): Promise<void> {
    let firstFailure: { error: unknown } | undefined;
    while (this.releases.length > 0) {
      const { name, release } = this.releases.pop()!;
      try {
        await release();
      } catch (error) {
        firstFailure ??= { error: error instanceof Error ? new Error(`releasing ${name} failed: ${error.message}`, { cause: error }) : error };
      }
    }
    if (firstFailure) throw firstFailure.error;
  }
}
