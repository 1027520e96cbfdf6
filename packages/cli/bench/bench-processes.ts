/**
 * The benchmark's child processes: the test engine (`cocoon test-engine --chunks …`),
 * the bare relay (bench-relay-main.ts) and the COCOON chain (startDevNetwork), each in its
 * own process, with their output kept in memory (shown only on failure) and a single
 * stop-everything for normal exit, errors and SIGINT.
 */
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { COCOON_BIN_PATH, DevChildProcess, startDevNetwork, type DevChildExit, type DevChildRole, type DevNetwork, type DevNetworkOptions } from '../src/index.ts';

const HOST = '127.0.0.1';
const RELAY_MAIN_PATH = fileURLToPath(new URL('./bench-relay-main.ts', import.meta.url));
const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 3000;
const KEPT_LINES = 400;

/** Every child output line, in memory, to print the tail when something fails. */
export class BenchChildLog {
  private readonly lines: string[] = [];

  readonly onLine = (name: string, stream: 'stdout' | 'stderr', line: string): void => {
    this.lines.push(`[${name}${stream === 'stderr' ? '!' : ''}] ${line}`);
    if (this.lines.length > KEPT_LINES) this.lines.splice(0, this.lines.length - KEPT_LINES);
  };

  tail(count: number): string[] {
    return this.lines.slice(-count);
  }
}

/** A free TCP port on 127.0.0.1 (bind port 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface BenchProcessOptions {
  chunkCount: number;
  chunkBytes: number;
  /** A paced engine (the paced shape): delay before the answer, and between streamed events. */
  pacing?: { responseDelayMs: number; chunkDelayMs: number };
  workers: number;
  log: BenchChildLog;
  /** Extra node flags for every child (e.g. `--cpu-prof` for profiling). */
  nodeArgs?: string[];
  /** Extra runner flags per chain role (e.g. a worker's `--max-active-requests`). */
  extraArgs?: DevNetworkOptions['extraArgs'];
}

export interface BenchEndpoints {
  engineUrl: string;
  relayUrl: string;
  chain: DevNetwork;
  /** Resolves when a chain child dies (the dev network restarts it, but the measurement is spoilt). */
  childDied: Promise<DevChildExit>;
}

export interface BenchProcesses {
  /** Resolves once every child is ready; rejects (after stopping them) if one fails. */
  ready: Promise<BenchEndpoints>;
  /** Stops every child, also during start-up; idempotent. */
  stop(): Promise<void>;
  /** Synchronous last resort (process 'exit'): SIGKILL whatever still runs. */
  killNow(): void;
  /** Process ids of the running children by name (`test-engine`, `relay`, `proxy`, `worker-1`, `client`). */
  pids(): Map<string, number>;
}

function urlOf(info: Record<string, unknown>, name: string): string {
  if (typeof info.url !== 'string') throw new Error(`${name} printed a ready line without a url`);
  return info.url;
}

/** Starts the children; the handle is returned at once so a SIGINT during start-up can stop them. */
export function startBenchProcesses(options: BenchProcessOptions): BenchProcesses {
  const env = process.env;
  const nodeArgs = options.nodeArgs ?? [];
  const standalone: DevChildProcess[] = [];
  const cancelStartup = new AbortController();
  let chain: DevNetwork | undefined;
  let chainStarting: Promise<unknown> | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    cancelStartup.abort();
    stopping ??= Promise.all([
      chainStarting?.catch(() => {}),
      chain?.stop(),
      ...standalone.map((child) => child.stop(STOP_GRACE_MS)),
    ]).then(() => chain?.stop());
    return stopping;
  };
  const killNow = (): void => {
    for (const child of [...standalone, ...(chain?.children ?? [])]) {
      if (child.running && child.pid !== undefined) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  };
  const pids = (): Map<string, number> => {
    const result = new Map<string, number>();
    for (const child of [...standalone, ...(chain?.children ?? [])]) if (child.running && child.pid !== undefined) result.set(child.name, child.pid);
    return result;
  };
  const spawnChild = (name: string, role: DevChildRole, args: string[]): DevChildProcess => {
    const child = new DevChildProcess({ name, role, args: [] }, { command: process.execPath, args: [...nodeArgs, ...args], env }, { onLine: options.log.onLine });
    standalone.push(child);
    return child;
  };
  let reportDeath: (exit: DevChildExit) => void = () => {};
  const childDied = new Promise<DevChildExit>((resolve) => (reportDeath = resolve));
  const start = async (): Promise<BenchEndpoints> => {
    const engine = spawnChild('test-engine', 'test-engine', [COCOON_BIN_PATH, 'test-engine', '--host', HOST, '--port', '0',
      '--chunks', `${options.chunkCount}`, '--chunk-bytes', `${options.chunkBytes}`,
      ...(options.pacing ? ['--response-delay-ms', `${options.pacing.responseDelayMs}`, '--chunk-delay-ms', `${options.pacing.chunkDelayMs}`] : [])]);
    const engineUrl = urlOf(await engine.waitReady(READY_TIMEOUT_MS), 'test-engine');
    if (cancelStartup.signal.aborted) throw new Error('benchmark start-up cancelled');
    // The relay is no COCOON role; the role field only labels the child.
    const relay = spawnChild('relay', 'proxy', ['--import', 'tsx', RELAY_MAIN_PATH, '--target', engineUrl, '--port', '0']);
    const relayReady = relay.waitReady(READY_TIMEOUT_MS);
    relayReady.catch(() => {});
    const [clientHttp, proxyHttp, proxyWorker, proxyClient, workerHttp] = await Promise.all(Array.from({ length: 5 }, freePort));
    const starting = startDevNetwork({
      engineUrl,
      workers: options.workers,
      ports: { clientHttp, proxyHttp, proxyWorker, proxyClient, workerHttp },
      onLine: options.log.onLine,
      ...(options.extraArgs ? { extraArgs: options.extraArgs } : {}),
      launch: (spec) => ({ command: process.execPath, args: [...nodeArgs, COCOON_BIN_PATH, ...spec.args], env }),
      readyTimeoutMs: READY_TIMEOUT_MS,
      stopGraceMs: STOP_GRACE_MS,
      signal: cancelStartup.signal,
      onChildEvent: (event) => {
        if (event.kind !== 'restarted') reportDeath(event.exit);
      },
    });
    chainStarting = starting;
    chain = await starting;
    return { engineUrl, relayUrl: urlOf(await relayReady, 'relay'), chain, childDied };
  };
  const ready = start().catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { ready, stop, killNow, pids };
}
