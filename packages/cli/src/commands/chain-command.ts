/**
 * `cocoon chain [--host 127.0.0.1] [--port 8081] [--data-dir ./.cocoon/chain]`: runs the
 * local TON chain (an emulator served as the toncenter v2 API, with a dev faucet), prints
 * `cocoon chain listening on http://HOST:PORT (data: DIR)` and stops on SIGINT/SIGTERM.
 * Options also come from COCOON_CHAIN_* env variables.
 */
import { createLogger, loadConfig, logSettingsFromEnv, toCocoonError, type Logger } from '@cocoon/protocol';
import path from 'node:path';
import { z } from 'zod';
import { ExitCode, type CliIo } from '../cli-io.ts';
import { waitForShutdown } from '../shutdown-signal.ts';

export const chainCommandOptionsSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    /** 0 picks a free port. */
    port: z.number().int().min(0).max(65535).default(8081),
    /** Where the chain state is kept across restarts. */
    data_dir: z.string().min(1).default('./.cocoon/chain'),
  })
  .strict();

/** The slice of @cocoon/ton's `startLocalChainServer` this command uses (loaded lazily, like the other role packages). */
interface LocalChainServerHandle {
  url: string;
  endpoint: string;
  port: number;
  close(): Promise<void>;
}
type StartLocalChainServer = (options: { host: string; port: number; dataDirectory: string; logger: Logger }) => Promise<LocalChainServerHandle>;

export type ChainCommandOptions = z.output<typeof chainCommandOptionsSchema>;

export function formatChainListeningLine(url: string, dataDirectory: string): string {
  return `cocoon chain listening on ${url} (data: ${dataDirectory})`;
}

export async function runChainCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const logger = createLogger('chain', { ...logSettingsFromEnv(io.env), write: io.stderr });
  let options: ChainCommandOptions;
  try {
    options = loadConfig(chainCommandOptionsSchema, { env: io.env, envPrefix: 'COCOON_CHAIN_', argv: [...argv] });
  } catch (error) {
    logger.error(toCocoonError(error).message);
    return ExitCode.usage;
  }
  const dataDirectory = path.resolve(options.data_dir);
  let server: LocalChainServerHandle;
  try {
    const emulatorEntry = '@cocoon/ton/emulator';
    const module = (await import(emulatorEntry)) as { startLocalChainServer?: StartLocalChainServer };
    if (typeof module.startLocalChainServer !== 'function') throw new Error('@cocoon/ton/emulator does not export startLocalChainServer');
    server = await module.startLocalChainServer({ host: options.host, port: options.port, dataDirectory, logger });
  } catch (error) {
    const cocoonError = toCocoonError(error);
    logger.error(`failed to start: ${cocoonError.message}`, { code: cocoonError.code });
    return ExitCode.failure;
  }
  io.stdout(formatChainListeningLine(server.url, dataDirectory));
  io.stdout(JSON.stringify({ event: 'ready', role: 'chain', url: server.url, endpoint: server.endpoint, port: server.port }));
  logger.info('dev chain: toncenter v2 API at /jsonRPC, faucet at POST /cocoon/faucet', { endpoint: server.endpoint });
  const shutdown = waitForShutdown({ watchStdin: io.env.COCOON_EXIT_WITH_PARENT === '1', onForce: () => process.exit(ExitCode.failure) });
  const reason = await shutdown.requested;
  shutdown.dispose();
  logger.info('stopping', { reason });
  await server.close();
  return ExitCode.ok;
}
