/**
 * The scale benchmark's processes: real proxies (`cocoon proxy --config FILE`, each its own process,
 * off chain, with the bench's raised front-door caps), and the forked load processes
 * (scale-load-main.ts: simulated worker fleets and client loads) with their IPC commands. Also reads a
 * proxy's resident memory (VmRSS, VmHWM) from /proc.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DEV_CLIENT_OWNER_ADDRESS, EMPTY_SECRET_SHA256 } from '@cocoon/protocol';
import { COCOON_BIN_PATH } from '../src/index.ts';
import type { ScaleLoadCommand, ScaleLoadSpec } from './scale-load-main.ts';

const HOST = '127.0.0.1';
const LOAD_MAIN_PATH = fileURLToPath(new URL('./scale-load-main.ts', import.meta.url));
const KEPT_LINES = 200;

/** The proxy settings a scale run needs beyond the defaults: caps raised through config, never the defaults. */
export interface ScaleProxySettings {
  powDifficulty: number;
  /** Not-yet-authorized connections per address: every simulated peer dials from 127.0.0.1. */
  maxUnauthenticatedPerAddress: number;
  maxUnauthenticatedConnections: number;
  authTimeoutMs: number;
  /** Extra node flags of the proxy processes (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
}

export interface ScaleProxy {
  name: string;
  pid: number;
  workerPort: number;
  clientPort: number;
  child: ChildProcess;
  /** Last lines of its output (shown on failure). */
  lines: string[];
  /** Warnings and errors it logged (e.g. rejected connections). */
  warnings: number;
  stop(): Promise<void>;
}

export async function startScaleProxy(name: string, directory: string, settings: ScaleProxySettings): Promise<ScaleProxy> {
  const configPath = join(directory, `${name}.json`);
  writeFileSync(configPath, JSON.stringify({
    host: HOST, client_port: 0, worker_port: 0, http_port: 0,
    pow_difficulty: settings.powDifficulty,
    max_unauthenticated_per_address: settings.maxUnauthenticatedPerAddress,
    max_unauthenticated_connections: settings.maxUnauthenticatedConnections,
    auth_timeout_ms: settings.authTimeoutMs,
    admin_token_file: join(directory, `${name}-admin.token`),
    attestation_collateral_dir: join(directory, `${name}-collateral`),
    proxy_key_file: join(directory, `${name}-proxy.key`),
    dev_clients: [{ owner_address: DEV_CLIENT_OWNER_ADDRESS, secret_hash: EMPTY_SECRET_SHA256, balance_nanoton: '1000000000000000000', stake_nanoton: '15000000000' }],
  }));
  const child = spawn(process.execPath, [...(settings.nodeArgs ?? []), COCOON_BIN_PATH, 'proxy', '--config', configPath], {
    env: { ...process.env, COCOON_LOG_LEVEL: 'warn', COCOON_EXIT_WITH_PARENT: '1' }, stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let warnings = 0;
  const keep = (line: string): void => {
    lines.push(line);
    if (lines.length > KEPT_LINES) lines.shift();
  };
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      keep(line);
      if (line.startsWith('{"event":"ready"')) resolve(JSON.parse(line) as Record<string, unknown>);
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before it was ready:\n${lines.slice(-20).join('\n')}`)));
  });
  createInterface({ input: child.stderr! }).on('line', (line) => {
    keep(line);
    if (/\b(WARN|ERROR)\b|"level":"(warn|error)"/i.test(line)) warnings += 1;
  });
  const info = await ready;
  const stop = (): Promise<void> => new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => { clearTimeout(kill); resolve(); });
    child.kill('SIGTERM');
  });
  return {
    name, pid: child.pid!, workerPort: Number(info.worker_port), clientPort: Number(info.client_port), child, lines,
    get warnings() { return warnings; }, stop,
  };
}

/** VmRSS and VmHWM (peak) of a process in MiB, from /proc (NaN elsewhere). */
export function residentMemoryMib(pid: number): { rssMib: number; peakMib: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) / 1024;
    return { rssMib: field('VmRSS'), peakMib: field('VmHWM') };
  } catch {
    return { rssMib: Number.NaN, peakMib: Number.NaN };
  }
}

type LoadMessage = { type: string; [key: string]: unknown };

/** One forked load process and its IPC conversation. */
export class ScaleLoadProcess {
  readonly child: ChildProcess;
  private readonly waiters: Array<{ type: string; resolve(message: LoadMessage): void; reject(error: Error): void }> = [];
  private readonly stderr: string[] = [];
  exited = false;

  constructor(readonly name: string, spec: ScaleLoadSpec) {
    this.child = fork(LOAD_MAIN_PATH, [JSON.stringify(spec)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    createInterface({ input: this.child.stderr! }).on('line', (line) => {
      this.stderr.push(line);
      if (this.stderr.length > 50) this.stderr.shift();
    });
    this.child.on('message', (message: LoadMessage) => {
      if (message.type === 'failed') return this.rejectAll(new Error(`${name} failed: ${String(message.error)}`));
      const index = this.waiters.findIndex((waiter) => waiter.type === message.type);
      if (index !== -1) this.waiters.splice(index, 1)[0]!.resolve(message);
    });
    this.child.once('exit', (code) => {
      this.exited = true;
      this.rejectAll(new Error(`${name} exited with ${code}:\n${this.stderr.slice(-15).join('\n')}`));
    });
  }

  /** The next message of `type` (with a deadline). */
  next(type: string, timeoutMs: number): Promise<LoadMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: no ${type} within ${timeoutMs / 1000} s:\n${this.stderr.slice(-15).join('\n')}`)), timeoutMs);
      this.waiters.push({ type, resolve: (message) => { clearTimeout(timer); resolve(message); }, reject: (error) => { clearTimeout(timer); reject(error); } });
    });
  }

  command(type: ScaleLoadCommand['type']): void {
    if (this.child.connected) this.child.send({ type });
  }

  /** Sends `command` and waits for the `answer` message. */
  ask(command: ScaleLoadCommand['type'], answer: string, timeoutMs: number): Promise<LoadMessage> {
    const reply = this.next(answer, timeoutMs);
    this.command(command);
    return reply;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.exited) return resolve();
      const kill = setTimeout(() => this.child.kill('SIGKILL'), 3000);
      this.child.once('exit', () => { clearTimeout(kill); resolve(); });
      this.command('close');
      if (!this.child.connected) this.child.kill('SIGTERM');
    });
  }

  private rejectAll(error: Error): void {
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }
}
