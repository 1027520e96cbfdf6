/**
 * Test support for system tests: free loopback ports, runner processes started through the
 * real `cocoon` bin (each role its own process), and small HTTP helpers.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { DevChildProcess, COCOON_BIN_PATH } from '../../src/index.ts';
import type { DevChildRole } from '../../src/index.ts';

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** Keeps the last lines each child printed, shown when a test fails. */
export class ChildLogs {
  readonly lines: string[] = [];
  readonly onLine = (name: string, _stream: string, line: string): void => {
    this.lines.push(`[${name}] ${line}`);
    if (this.lines.length > 400) this.lines.shift();
  };

  tail(count = 60): string {
    return this.lines.slice(-count).join('\n');
  }
}

export async function startRole(name: string, role: DevChildRole, args: string[], logs: ChildLogs): Promise<DevChildProcess> {
  const child = new DevChildProcess({ name, role, args: [role, ...args] }, { command: process.execPath, args: [COCOON_BIN_PATH, role, ...args] }, { onLine: logs.onLine });
  try {
    await child.waitReady(60_000);
  } catch (error) {
    throw new Error(`${name} did not start: ${(error as Error).message}\n${logs.tail()}`);
  }
  return child;
}

export async function fetchJson(url: string): Promise<Record<string, unknown>> {
  const response = await fetch(url);
  return (await response.json()) as Record<string, unknown>;
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
