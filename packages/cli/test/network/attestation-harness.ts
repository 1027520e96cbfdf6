/**
 * Test support for the attestation system test: runner processes spawned WITHOUT waiting for
 * their ready line (runners that must be refused), each keeping its own output lines so a
 * test can assert what that one runner said, plus the proxy `/jsonstats` readings it needs.
 */
import { DevChildProcess, COCOON_BIN_PATH } from '../../src/index.ts';
import type { DevChildExit, DevChildRole } from '../../src/index.ts';
import { fetchJson } from './network-harness.ts';
import type { ChildLogs } from './network-harness.ts';

/** A spawned runner and every line it printed (stdout and stderr). */
export interface SpawnedRole {
  child: DevChildProcess;
  lines: string[];
  /** All lines joined, for `includes`/regex assertions. */
  output(): string;
}

/** Spawns `cocoon <role> …args`; returns at once (the caller decides whether readiness may ever come). */
export function spawnRole(name: string, role: DevChildRole, args: string[], logs: ChildLogs): SpawnedRole {
  const lines: string[] = [];
  const child = new DevChildProcess({ name, role, args: [role, ...args] }, { command: process.execPath, args: [COCOON_BIN_PATH, role, ...args] }, {
    onLine: (childName, stream, line) => {
      lines.push(line);
      logs.onLine(childName, stream, line);
    },
  });
  return { child, lines, output: () => lines.join('\n') };
}

/** The child's exit, or undefined when it is still running after `timeoutMs`. */
export async function exitWithin(child: DevChildProcess, timeoutMs: number): Promise<DevChildExit | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => { timer = setTimeout(() => resolve(undefined), timeoutMs); });
  try {
    return await Promise.race([child.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Total (first element of the §8.3 decaying counter snapshot) of one proxy `/jsonstats` `stats` counter. */
export async function proxyCounter(proxyHttpUrl: string, name: string): Promise<number> {
  const stats = (await fetchJson(`${proxyHttpUrl}/jsonstats`)).stats as Record<string, number[]>;
  const snapshot = stats[name];
  if (!snapshot) throw new Error(`proxy /jsonstats has no stats.${name}`);
  return snapshot[0]!;
}

/** How many workers the proxy lists in `/jsonstats` `worker_connections`. */
export async function proxyWorkerCount(proxyHttpUrl: string): Promise<number> {
  return ((await fetchJson(`${proxyHttpUrl}/jsonstats`)).worker_connections as unknown[]).length;
}
