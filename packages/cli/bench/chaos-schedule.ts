/**
 * The chaos suite's plan, made up front from one seed (printed, so that a failing run can be
 * replayed with `--seed`): for every cycle, how long to wait and which child to kill -9 (the first
 * cycles cover every role once, in a seeded order; later ones pick a role at random), plus one
 * SIGSTOP of a worker (hung, not dead) for a while after a seeded cycle.
 */
import { SeededRandom } from '@cocoon/test-support';

export type ChaosRole = 'proxy' | 'worker' | 'client' | 'chain';

export type ChaosStep =
  | { kind: 'kill'; cycle: number; role: ChaosRole; name: string; waitMs: number }
  | { kind: 'stop'; cycle: number; role: 'worker'; name: string; waitMs: number; stopMs: number };

export interface ChaosScheduleOptions {
  seed: number;
  cycles: number;
  /** Child names per role in the running network (`proxy`, `proxy-2`, `worker-1`, …). */
  names: Record<ChaosRole, readonly string[]>;
  /** Pause before each step: uniform in [min, max]. */
  waitMs: { min: number; max: number };
  /** How long the SIGSTOP lasts: uniform in [min, max]. */
  stopMs: { min: number; max: number };
}

export const CHAOS_ROLES: readonly ChaosRole[] = ['proxy', 'worker', 'client', 'chain'];

export function planChaosSchedule(options: ChaosScheduleOptions): ChaosStep[] {
  const random = new SeededRandom(options.seed);
  const roles = CHAOS_ROLES.filter((role) => options.names[role].length > 0);
  const firstRound = [...roles];
  for (let index = firstRound.length - 1; index > 0; index--) {
    const other = random.integer(0, index);
    [firstRound[index], firstRound[other]] = [firstRound[other]!, firstRound[index]!];
  }
  const steps: ChaosStep[] = [];
  const stopAfter = random.integer(0, Math.max(0, options.cycles - 1));
  for (let cycle = 0; cycle < options.cycles; cycle++) {
    const role = cycle < firstRound.length ? firstRound[cycle]! : random.pick(roles);
    steps.push({ kind: 'kill', cycle, role, name: random.pick(options.names[role]), waitMs: random.integer(options.waitMs.min, options.waitMs.max) });
    if (cycle === stopAfter && options.names.worker.length > 0) {
      steps.push({
        kind: 'stop', cycle, role: 'worker', name: random.pick(options.names.worker),
        waitMs: random.integer(options.waitMs.min, options.waitMs.max), stopMs: random.integer(options.stopMs.min, options.stopMs.max),
      });
    }
  }
  return steps;
}

export function describeStep(step: ChaosStep): string {
  return step.kind === 'kill'
    ? `cycle ${step.cycle}: after ${step.waitMs} ms kill -9 ${step.name}`
    : `cycle ${step.cycle}: after ${step.waitMs} ms SIGSTOP ${step.name} for ${step.stopMs} ms`;
}
