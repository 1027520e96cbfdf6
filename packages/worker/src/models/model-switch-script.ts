/**
 * Runs the worker's `change_model_script` for a model switch (§3.2 `worker.changeModel`), as the
 * reference's `execl(script, script, new_model)`: the script itself with the new model name as its
 * one argument, no shell (nothing in the name is interpreted), in its own process group so that a
 * timeout ends it and everything it started (SIGTERM, then SIGKILL after a grace period); after
 * a normal exit what it started in the background lives on (e.g. a restarted engine). Its output is captured (only the last few KiB are kept) and never inherited: the runner's stdout
 * carries the ready line.
 */
import { spawn } from 'node:child_process';

export interface ModelSwitchScriptOptions {
  script: string;
  model: string;
  timeoutMs: number;
  /** After SIGTERM on timeout, SIGKILL follows after this long (default 2 s). */
  killGraceMs?: number;
  /** After the script exits, how long its output pipes may take to drain (default 250 ms). */
  pipeGraceMs?: number;
  /** Bytes of output kept (default 4 KiB). */
  maxOutputBytes?: number;
  /** Environment of the script (default: the worker's). */
  env?: NodeJS.ProcessEnv;
}

export interface ModelSwitchScriptResult {
  ok: boolean;
  /** Exit code; null when it ended by a signal or never started. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Set when the script could not be started (e.g. ENOENT, EACCES). */
  startError: string | undefined;
  durationMs: number;
  /** Total bytes the script wrote (stdout + stderr). */
  outputBytes: number;
  /** The last `maxOutputBytes` of its output. */
  outputTail: string;
}

/** Kills the script's whole process group (it leads one: spawned detached). */
function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

export function runModelSwitchScript(options: ModelSwitchScriptOptions): Promise<ModelSwitchScriptResult> {
  const maxOutput = options.maxOutputBytes ?? 4096;
  const startedAt = performance.now();
  return new Promise((resolve) => {
    let tail = Buffer.alloc(0);
    let outputBytes = 0;
    let timedOut = false;
    let startError: string | undefined;
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const child = spawn(options.script, [options.model], {
      shell: false, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env,
    });
    const collect = (chunk: Buffer): void => {
      outputBytes += chunk.length;
      tail = Buffer.concat([tail, chunk]);
      if (tail.length > maxOutput) tail = tail.subarray(tail.length - maxOutput);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), options.killGraceMs ?? 2000);
    }, options.timeoutMs);
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(killTimer);
      if (timedOut) killGroup(child.pid, 'SIGKILL'); // anything it left behind
      child.stdout.destroy(); // a process the script started in the background may hold the pipes
      child.stderr.destroy();
      resolve({
        ok: !timedOut && startError === undefined && exitCode === 0,
        exitCode, signal, timedOut, startError,
        durationMs: Math.round(performance.now() - startedAt),
        outputBytes, outputTail: tail.toString('utf8'),
      });
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      startError = error.code ?? error.message;
      if (child.pid === undefined) finish(null, null); // never started: no 'close' may follow
    });
    // The script's own end: its output may still be in the pipes, so wait for them ('close') — but only
    // briefly, since a process it started in the background may hold them open for good.
    let pipeGrace: NodeJS.Timeout | undefined;
    child.on('exit', (code, signal) => {
      pipeGrace = setTimeout(() => finish(code, signal), options.pipeGraceMs ?? 250);
    });
    child.on('close', (code, signal) => {
      clearTimeout(pipeGrace);
      finish(code, signal);
    });
  });
}
