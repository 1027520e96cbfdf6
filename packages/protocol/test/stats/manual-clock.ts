/** A hand-driven millisecond clock for deterministic stats tests. */
export class ManualClock {
  constructor(public nowMs = 1_000_000) {}
  readonly now = (): number => this.nowMs;
  advanceSeconds(seconds: number): void {
    this.nowMs += seconds * 1000;
  }
}
