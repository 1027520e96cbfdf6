/**
 * Keeps one dev-network child running: while the network runs, a child that dies is
 * restarted with the same spec after an exponential backoff (250 ms doubling to 10 s, back to
 * 250 ms once a run stayed up 30 s), each death and restart logged with its exit. Restarts that
 * never become ready again `giveUpAfter` times in a row end the supervision (the network then
 * stops). Timers and the clock are injectable for tests.
 */
import type { Logger } from '@cocoon/protocol';
import { describeExit, type DevChildExit, type DevChildProcess, type DevChildSpec } from './dev-child-process.ts';

export interface DevRestartPolicy {
  /** Delay before the first restart (default 250 ms); doubles with every death in a row. */
  initialDelayMs?: number;
  /** The longest delay (default 10 s). */
  maxDelayMs?: number;
  /** A run that stayed up this long resets the delay (default 30 s). */
  resetAfterMs?: number;
  /** Restarts in a row that never became ready before giving up (default 5). */
  giveUpAfter?: number;
}

/** The timers and clock of the supervision (default: the global timers and Date.now). */
export interface DevSupervisionTimers {
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

/** What happened to a supervised child while the network runs. */
export type DevChildEvent =
  | { kind: 'exited'; name: string; exit: DevChildExit; restartInMs: number }
  | { kind: 'restarted'; name: string; readyInfo: Record<string, unknown>; restarts: number }
  | { kind: 'gave-up'; name: string; exit: DevChildExit; failedRestarts: number };

export interface DevChildSupervisorOptions {
  /** Starts a process for the spec (the first one and every restart). */
  spawn: (spec: DevChildSpec) => DevChildProcess;
  /** Whether a death now is restarted (the network runs); deaths otherwise are left to the caller. */
  shouldRestart: () => boolean;
  policy?: DevRestartPolicy;
  timers?: DevSupervisionTimers;
  logger: Logger;
  readyTimeoutMs: number;
  stopGraceMs: number;
  onEvent?: (event: DevChildEvent) => void;
  /** Restarts were given up (the last exit). */
  onGiveUp: (exit: DevChildExit) => void;
}

export const DEFAULT_RESTART_POLICY: Readonly<Required<DevRestartPolicy>> = { initialDelayMs: 250, maxDelayMs: 10_000, resetAfterMs: 30_000, giveUpAfter: 5 };

const REAL_TIMERS: DevSupervisionTimers = {
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  now: () => Date.now(),
};

export class DevChildSupervisor {
  readonly name: string;
  private current: DevChildProcess;
  private readonly policy: Required<DevRestartPolicy>;
  private readonly timers: DevSupervisionTimers;
  /** Deaths in a row without a run of resetAfterMs: the backoff exponent. */
  private deaths = 0;
  /** Restarts in a row that died (or timed out) before their ready line. */
  private failedRestarts = 0;
  private restarts = 0;
  private readyAt: number | undefined;
  private timer: unknown;
  private cancelled = false;

  constructor(private readonly spec: DevChildSpec, private readonly options: DevChildSupervisorOptions) {
    this.name = spec.name;
    this.policy = { ...DEFAULT_RESTART_POLICY, ...options.policy };
    this.timers = options.timers ?? REAL_TIMERS;
    this.current = this.launch();
  }

  /** The process now running (or last run) for the spec. */
  get child(): DevChildProcess {
    return this.current;
  }

  /** The first start: resolves with the ready info, rejects like DevChildProcess.waitReady. */
  async waitReady(): Promise<Record<string, unknown>> {
    const child = this.current;
    const info = await child.waitReady(this.options.readyTimeoutMs);
    if (child === this.current) this.readyAt = this.timers.now();
    return info;
  }

  /** No more restarts; a scheduled one is cancelled. The running process is the caller's to stop. */
  cancel(): void {
    this.cancelled = true;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private launch(): DevChildProcess {
    const child = this.options.spawn(this.spec);
    this.readyAt = undefined;
    void child.exited.then((exit) => this.onExit(child, exit));
    return child;
  }

  private onExit(child: DevChildProcess, exit: DevChildExit): void {
    if (child !== this.current || this.cancelled || !this.options.shouldRestart()) return;
    const wasReady = this.readyAt !== undefined;
    if (wasReady && this.timers.now() - (this.readyAt ?? 0) >= this.policy.resetAfterMs) this.deaths = 0;
    this.deaths += 1;
    this.failedRestarts = wasReady ? 0 : this.failedRestarts + 1;
    const { logger } = this.options;
    if (this.failedRestarts >= this.policy.giveUpAfter) {
      logger.error(`${this.name} failed to restart ${this.failedRestarts} times in a row (last: ${describeExit(exit)}); giving up`);
      this.cancelled = true;
      this.options.onEvent?.({ kind: 'gave-up', name: this.name, exit, failedRestarts: this.failedRestarts });
      this.options.onGiveUp(exit);
      return;
    }
    const delay = Math.min(this.policy.maxDelayMs, this.policy.initialDelayMs * 2 ** (this.deaths - 1));
    logger.error(`${this.name} ${wasReady ? 'died' : 'failed to restart'} (${describeExit(exit)}); restarting it in ${delay} ms; the others keep serving`);
    this.timer = this.timers.setTimeout(() => this.restart(), delay);
    this.options.onEvent?.({ kind: 'exited', name: this.name, exit, restartInMs: delay });
  }

  private restart(): void {
    this.timer = undefined;
    if (this.cancelled) return;
    this.restarts += 1;
    let child: DevChildProcess;
    try {
      child = this.launch();
    } catch (error) {
      this.options.logger.error(`${this.name} could not be relaunched: ${(error as Error).message}; giving up`);
      this.cancelled = true;
      const exit: DevChildExit = { name: this.name, code: null, signal: null };
      this.options.onEvent?.({ kind: 'gave-up', name: this.name, exit, failedRestarts: this.failedRestarts + 1 });
      this.options.onGiveUp(exit);
      return;
    }
    this.current = child;
    this.options.logger.warn(`${this.name} restarting (restart ${this.restarts}, pid ${child.pid ?? 'none'})`);
    child.waitReady(this.options.readyTimeoutMs).then((info) => {
      if (child !== this.current || this.cancelled) return;
      this.readyAt = this.timers.now();
      this.options.logger.info(`${this.name} restarted and ready again (restart ${this.restarts}, pid ${child.pid ?? 'none'})`);
      this.options.onEvent?.({ kind: 'restarted', name: this.name, readyInfo: info, restarts: this.restarts });
    }, (error: unknown) => {
      // Died first: its exit schedules the next attempt. Timed out: stop it, and its exit does.
      if (child !== this.current || this.cancelled || !child.running) return;
      this.options.logger.error((error as Error).message);
      void child.stop(this.options.stopGraceMs);
    });
  }
}
