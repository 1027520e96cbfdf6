/** What starting any runner (client, proxy, worker) returns to its caller (the CLI, tests, benchmarks). */
export interface RunnerHandle {
  /** Printed in the runner's `{"event":"ready",…}` line: URLs, ports. */
  readyInfo: Record<string, unknown>;
  close(): Promise<void>;
}
