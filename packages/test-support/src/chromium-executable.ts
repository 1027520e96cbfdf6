/**
 * Where the browser tests find Debian's chromium (CHROMIUM_PATH, default /usr/bin/chromium; never
 * a downloaded browser) and the `skip` reason for node:test when it is absent. In CI (CI=true) a
 * missing browser is an error, not a skip: the browser tests must run there.
 */
import { existsSync } from 'node:fs';

export interface ChromiumExecutable {
  executablePath: string;
  /** False when the browser is there; otherwise the message the skipped tests show. */
  skip: string | false;
}

export function findChromium(environment: NodeJS.ProcessEnv = process.env): ChromiumExecutable {
  const executablePath = environment.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (existsSync(executablePath)) return { executablePath, skip: false };
  if (environment.CI === 'true') throw new Error(`chromium not found at ${executablePath} (set CHROMIUM_PATH); the browser tests must run in CI`);
  return { executablePath, skip: `chromium not found at ${executablePath} (install Debian's chromium or set CHROMIUM_PATH)` };
}
