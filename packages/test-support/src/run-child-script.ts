/**
 * Runs a TypeScript script in its own Node process (through tsx) and waits for it to exit by
 * itself, killing it after `timeoutMs`: for tests that check nothing keeps a process alive
 * (e.g. a runner whose start-up failed). Resolves with the exit code and everything it printed.
 */
import { spawn } from 'node:child_process';

export interface ChildScriptResult {
  /** null when the process was killed (it did not exit within the timeout). */
  code: number | null;
  stdout: string;
}

export function runChildScript(scriptPath: string, args: readonly string[] = [], timeoutMs = 30_000): Promise<ChildScriptResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', scriptPath, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
  const deadline = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => child.once('exit', (code) => {
    clearTimeout(deadline);
    resolve({ code, stdout });
  }));
}
