/**
 * Per-process CPU accounting for the benchmark: snapshots user+system CPU time of the
 * children (Linux /proc/<pid>/stat; elsewhere nothing) and of the load generator itself,
 * so a phase can report "CPU ms per request" for every process of the chain.
 */
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on every mainstream Linux). */
const USER_HZ = 100;
export const LOAD_GENERATOR_NAME = 'load-generator';

export type CpuSnapshot = Map<string, number>;

/** CPU time (ms) of a process from /proc, or undefined when unavailable. */
function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return Number.isFinite(utime) && Number.isFinite(stime) ? ((utime + stime) * 1000) / USER_HZ : undefined;
  } catch {
    return undefined;
  }
}

export function cpuSnapshot(pids: ReadonlyMap<string, number>): CpuSnapshot {
  const snapshot: CpuSnapshot = new Map();
  for (const [name, pid] of pids) {
    const ms = processCpuMs(pid);
    if (ms !== undefined) snapshot.set(name, ms);
  }
  const own = process.cpuUsage();
  snapshot.set(LOAD_GENERATOR_NAME, (own.user + own.system) / 1000);
  return snapshot;
}

/** CPU ms per request of every process between two snapshots (rounded to 0.01 ms). */
export function cpuPerRequest(before: CpuSnapshot, after: CpuSnapshot, requests: number): Record<string, number> {
  const result: Record<string, number> = {};
  if (requests <= 0) return result;
  for (const [name, end] of after) {
    const start = before.get(name);
    if (start !== undefined) result[name] = Math.round(((end - start) / requests) * 100) / 100;
  }
  return result;
}
