/**
 * One child process of the dev network: spawns it, splits its stdout/stderr into lines
 * (forwarded with the child's name), recognises its `{"event":"ready",…}` stdout line,
 * and stops it with SIGTERM, then SIGKILL after a grace period.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { CocoonError } from '@cocoon/protocol';

export type DevChildRole = 'chain' | 'test-engine' | 'key-manager' | 'proxy' | 'worker' | 'client';

export interface DevChildSpec {
  /** Unique display name: `proxy`, `worker-1`, … */
  name: string;
  role: DevChildRole;
  /** Arguments after `cocoon`, e.g. `['proxy', '--http-port', '11000']`. */
  args: string[];
}

/** The program to run for a child: by default `node packages/cli/bin/cocoon.mjs …args`. */
export interface DevChildLaunch {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

export interface DevChildExit {
  name: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface DevChildOptions {
  onLine: (name: string, stream: 'stdout' | 'stderr', line: string) => void;
}

const RECENT_LINES = 8;

export function parseReadyLine(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(line) as unknown;
    if (value && typeof value === 'object' && (value as { event?: unknown }).event === 'ready') return value as Record<string, unknown>;
  } catch {
    // an ordinary line that happens to start with '{'
  }
  return undefined;
}

export class DevChildProcess {
  readonly name: string;
  readonly role: DevChildRole;
  readonly exited: Promise<DevChildExit>;
  readyInfo: Record<string, unknown> | undefined;
  private readonly child: ChildProcess;
  private readonly recent: string[] = [];
  private exit: DevChildExit | undefined;
  private readyListeners: Array<(info: Record<string, unknown>) => void> = [];

  constructor(spec: DevChildSpec, launch: DevChildLaunch, options: DevChildOptions) {
    this.name = spec.name;
    this.role = spec.role;
    // Own process group: a terminal Ctrl-C reaches only the orchestrator, which stops
    // the children in order. stdin stays open so children notice if we die (COCOON_EXIT_WITH_PARENT).
    this.child = spawn(launch.command, launch.args, {
      env: { ...(launch.env ?? process.env), COCOON_EXIT_WITH_PARENT: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    this.child.stdin?.on('error', () => {});
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code, signal) => {
        this.exit = { name: this.name, code, signal };
        resolve(this.exit);
      });
      this.child.once('error', (error) => {
        this.remember(`spawn failed: ${error.message}`);
        if (this.child.pid === undefined) {
          this.exit = { name: this.name, code: null, signal: null };
          resolve(this.exit);
        }
      });
    });
    this.pipeLines(this.child.stdout, 'stdout', options);
    this.pipeLines(this.child.stderr, 'stderr', options);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** The last few output lines (for error messages). */
  get recentOutput(): readonly string[] {
    return this.recent;
  }

  /** Resolves with the ready info; rejects if the child exits first or `timeoutMs` passes. */
  waitReady(timeoutMs: number): Promise<Record<string, unknown>> {
    if (this.readyInfo) return Promise.resolve(this.readyInfo);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(this.failure(`did not print its ready line within ${Math.round(timeoutMs / 100) / 10} s`));
      }, timeoutMs);
      this.readyListeners.push((info) => {
        clearTimeout(timer);
        resolve(info);
      });
      void this.exited.then((exit) => {
        clearTimeout(timer);
        reject(this.failure(`exited before it was ready (${describeExit(exit)})`));
      });
    });
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  async stop(graceMs: number): Promise<DevChildExit> {
    if (this.exit) return this.exit;
    this.child.stdin?.end();
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  /** An error naming this child, with its last output lines. */
  failure(what: string): CocoonError {
    const output = this.recent.length > 0 ? `; last output:\n  ${this.recent.join('\n  ')}` : '';
    return new CocoonError('CCN_ERR_INTERNAL', `dev network: ${this.name} ${what}${output}`, { param: this.name });
  }

  private remember(line: string): void {
    this.recent.push(line);
    if (this.recent.length > RECENT_LINES) this.recent.shift();
  }

  private pipeLines(stream: Readable | null, kind: 'stdout' | 'stderr', options: DevChildOptions): void {
    if (!stream) return;
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      this.remember(line);
      options.onLine(this.name, kind, line);
      const info = kind === 'stdout' && !this.readyInfo ? parseReadyLine(line) : undefined;
      if (info) {
        this.readyInfo = info;
        for (const listener of this.readyListeners.splice(0)) listener(info);
      }
    });
  }
}

export function describeExit(exit: DevChildExit): string {
  if (exit.signal) return `signal ${exit.signal}`;
  return exit.code === null ? 'could not be started' : `exit code ${exit.code}`;
}
