/**
 * `cocoon test-engine [--host 127.0.0.1] [--port 8000] [--chunks N --chunk-bytes B] [--response-delay-ms D --chunk-delay-ms D]`: starts the worker package's
 * OpenAI-compatible TEST engine (canned answers with `usage`, not a model), prints
 * `{"event":"ready","role":"test-engine","url":…,"port":…}` and closes on SIGINT/SIGTERM.
 */
import { createLogger, loadConfig, logSettingsFromEnv, toCocoonError } from '@cocoon/protocol';
import { z } from 'zod';
import { ExitCode, type CliIo } from '../cli-io.ts';
import { waitForShutdown } from '../shutdown-signal.ts';
import { formatReadyLine } from './role-command.ts';

export const testEngineOptionsSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    /** 0 picks a free port. */
    port: z.number().int().min(0).max(65535).default(8000),
    /** Benchmark mode (§9): exactly `chunks` content chunks of `chunk_bytes` characters. */
    chunks: z.number().int().min(1).optional(),
    chunk_bytes: z.number().int().min(1).optional(),
    /** Paced answers (the benchmark's paced shape, §9): delay before the answer starts, and between streamed events. */
    response_delay_ms: z.number().int().min(0).max(60_000).optional(),
    chunk_delay_ms: z.number().int().min(0).max(60_000).optional(),
  })
  .strict();

interface TestEngineHandle {
  url: string;
  port: number;
  close(): Promise<void>;
}
type StartTestEngine = (options: { host: string; port: number; chunkCount?: number; chunkBytes?: number; responseDelayMs?: number; chunkDelayMs?: number }) => Promise<TestEngineHandle>;

export async function runTestEngineCommand(args: readonly string[], io: CliIo): Promise<number> {
  const logger = createLogger('test-engine', { ...logSettingsFromEnv(io.env), write: io.stderr });
  let engine: TestEngineHandle;
  try {
    const options = loadConfig(testEngineOptionsSchema, { env: io.env, envPrefix: 'COCOON_TEST_ENGINE_', argv: [...args] });
    const workerPackage = '@cocoon/worker';
    const module = (await import(workerPackage)) as { startTestEngine?: StartTestEngine };
    if (typeof module.startTestEngine !== 'function') throw new Error('@cocoon/worker does not export startTestEngine');
    engine = await module.startTestEngine({
      host: options.host, port: options.port, chunkCount: options.chunks, chunkBytes: options.chunk_bytes,
      ...(options.response_delay_ms === undefined ? {} : { responseDelayMs: options.response_delay_ms }),
      ...(options.chunk_delay_ms === undefined ? {} : { chunkDelayMs: options.chunk_delay_ms }),
    });
  } catch (error) {
    const cocoonError = toCocoonError(error);
    logger.error(`failed to start: ${cocoonError.message}`, { code: cocoonError.code });
    return cocoonError.code === 'CCN_ERR_CONFIG_INVALID' ? ExitCode.usage : ExitCode.failure;
  }
  logger.warn('this is a TEST ENGINE with canned answers, not a language model', { url: engine.url });
  io.stdout(formatReadyLine('test-engine', { url: engine.url, port: engine.port }));
  const shutdown = waitForShutdown({ watchStdin: io.env.COCOON_EXIT_WITH_PARENT === '1', onForce: () => process.exit(ExitCode.failure) });
  await shutdown.requested;
  shutdown.dispose();
  await engine.close();
  return ExitCode.ok;
}
