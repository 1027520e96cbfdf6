/** Where the CLI writes and what it reads from its environment (injectable for tests). */

export interface CliIo {
  /** Writes one line to stdout (machine-readable lines like `{"event":"ready",…}`). */
  stdout(line: string): void;
  /** Writes one line to stderr (logs, errors). */
  stderr(line: string): void;
  env: Record<string, string | undefined>;
}

export const processIo: CliIo = {
  stdout: (line) => void process.stdout.write(`${line}\n`),
  stderr: (line) => void process.stderr.write(`${line}\n`),
  env: process.env,
};

/** Exit codes used by the CLI. */
export const ExitCode = { ok: 0, failure: 1, usage: 2 } as const;
