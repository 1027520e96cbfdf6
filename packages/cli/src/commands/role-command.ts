/**
 * `cocoon client|proxy|worker|key-manager [--config FILE] [--flags…]`: loads the role's config
 * (file ← env COCOON_<ROLE>_* ← flags), starts the runner from the role package,
 * prints one `{"event":"ready","role":…}` line on stdout and closes on SIGINT/SIGTERM.
 */
import { createLogger, loadConfig, logSettingsFromEnv, parseLogFormat, toCocoonError } from '@cocoon/protocol';
import type { RunnerHandle } from '@cocoon/protocol';
import type { z } from 'zod';
import { ExitCode, type CliIo } from '../cli-io.ts';
import { waitForShutdown } from '../shutdown-signal.ts';
import { splitConfigFileFlag } from './config-file-flag.ts';
import { describeConfigKeys } from './config-key-help.ts';

export type RunnerRole = 'client' | 'proxy' | 'worker' | 'key-manager';

/** What a role package must export (see the runner contract). */
type StartRunner = (config: unknown, deps?: object) => Promise<RunnerHandle>;

const ROLE_PACKAGES: Record<RunnerRole, { packageName: string; schemaExport: string; startExport: string }> = {
  client: { packageName: '@cocoon/client', schemaExport: 'clientConfigSchema', startExport: 'startClientRunner' },
  proxy: { packageName: '@cocoon/proxy', schemaExport: 'proxyConfigSchema', startExport: 'startProxyRunner' },
  worker: { packageName: '@cocoon/worker', schemaExport: 'workerConfigSchema', startExport: 'startWorkerRunner' },
  'key-manager': { packageName: '@cocoon/key-manager', schemaExport: 'keyManagerConfigSchema', startExport: 'startKeyManagerRunner' },
};

/** How long close() may take beyond the runner's own drain deadline (`shutdown_drain_ms`, client). */
const CLOSE_GRACE_MS = 10_000;

export const isRunnerRole = (name: string): name is RunnerRole => Object.hasOwn(ROLE_PACKAGES, name);

/** `{"event":"ready","role":…,…info}` with bigints as strings. */
export function formatReadyLine(role: string, info: Record<string, unknown>): string {
  const { event: _event, role: _role, ...rest } = info;
  return JSON.stringify({ event: 'ready', role, ...rest }, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
}

/** Imports the role package lazily (it may not be loadable when other commands run). */
async function importRolePackage(role: RunnerRole): Promise<{ schema: z.ZodType; start: StartRunner }> {
  const { packageName, schemaExport, startExport } = ROLE_PACKAGES[role];
  const module = (await import(packageName)) as Record<string, unknown>;
  const schema = module[schemaExport];
  const start = module[startExport];
  if (!schema || typeof start !== 'function') {
    throw new Error(`${packageName} does not export ${schema ? startExport : schemaExport}`);
  }
  return { schema: schema as z.ZodType, start: start as StartRunner };
}

export async function runRoleCommand(role: RunnerRole, args: readonly string[], io: CliIo): Promise<number> {
  const settings = logSettingsFromEnv(io.env);
  let logger = createLogger(role, { ...settings, write: io.stderr });
  const envPrefix = `COCOON_${role.toUpperCase().replace('-', '_')}_`;
  let handle: RunnerHandle;
  let closeTimeoutMs = CLOSE_GRACE_MS;
  try {
    const { schema, start } = await importRolePackage(role);
    if (args.includes('--help') || args.includes('-h')) {
      io.stdout(`usage: cocoon ${role} [--config FILE.json] [--key value …]\n\nconfig keys (file key / flag / env):`);
      for (const line of describeConfigKeys(schema, envPrefix)) io.stdout(`  ${line}`);
      return ExitCode.ok;
    }
    const { file, rest } = splitConfigFileFlag(args);
    const config = loadConfig(schema, { file, env: io.env, envPrefix, argv: rest });
    const configFormat = parseLogFormat((config as { log_format?: string }).log_format); // COCOON_LOG_FORMAT (or --log-format) wins over the file
    if (configFormat && io.env.COCOON_LOG_FORMAT === undefined) logger = createLogger(role, { ...settings, format: configFormat, write: io.stderr });
    handle = await start(config, { logger });
    closeTimeoutMs = CLOSE_GRACE_MS + drainMsOf(config);
  } catch (error) {
    const cocoonError = toCocoonError(error);
    logger.error(`failed to start: ${cocoonError.message}`, { code: cocoonError.code });
    return cocoonError.code === 'CCN_ERR_CONFIG_INVALID' ? ExitCode.usage : ExitCode.failure;
  }
  io.stdout(formatReadyLine(role, handle.readyInfo));
  const shutdown = waitForShutdown({ watchStdin: io.env.COCOON_EXIT_WITH_PARENT === '1', onForce: () => process.exit(ExitCode.failure) });
  const reason = await shutdown.requested;
  shutdown.dispose();
  logger.info('shutting down', { reason });
  return closeWithTimeout(handle, closeTimeoutMs, logger.error);
}

function drainMsOf(config: unknown): number {
  const drain = (config as { shutdown_drain_ms?: unknown }).shutdown_drain_ms;
  return typeof drain === 'number' && Number.isFinite(drain) && drain > 0 ? drain : 0;
}

async function closeWithTimeout(handle: RunnerHandle, timeoutMs: number, logError: (message: string) => void): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  try {
    const outcome = await Promise.race([handle.close().then(() => 'closed' as const), timeout]);
    if (outcome === 'timeout') {
      logError(`close did not finish within ${timeoutMs / 1000} s`);
      return ExitCode.failure;
    }
    return ExitCode.ok;
  } catch (error) {
    logError(`close failed: ${toCocoonError(error).message}`);
    return ExitCode.failure;
  } finally {
    clearTimeout(timer);
  }
}
