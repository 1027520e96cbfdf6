/**
 * `cocoon models pull hf:<owner>/<repo>/<file>.gguf[@revision] [--sha256 HEX] [--cache-dir DIR] [--base-url URL]`
 * downloads a GGUF into the model cache (progress on stderr, resumable, SHA-256 verified) and
 * prints its identity `name@revision:sha256` on stdout. `cocoon models list [--cache-dir DIR]`
 * prints the cached models, one per line: identity (or `-`), size, path.
 */
import { createLogger, loadConfig, logSettingsFromEnv, toCocoonError } from '@cocoon/protocol';
import { z } from 'zod';
import type * as WorkerPackage from '@cocoon/worker';
import { ExitCode, processIo, type CliIo } from '../cli-io.ts';

export const modelsPullOptionsSchema = z
  .object({
    /** Expected SHA-256 of the file (hex); default: the server's X-Linked-Etag/ETag when it is one. */
    sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'expected 64 hex characters').optional(),
    /** Model cache; default $COCOON_MODELS_DIR, else ~/.cache/cocoon/models. */
    cache_dir: z.string().min(1).optional(),
    /** Download root (a mirror, or a local server in tests); default https://huggingface.co. */
    base_url: z.url({ protocol: /^https?$/ }).optional(),
    /** Automatic resumes after a cut connection. */
    retries: z.number().int().min(0).max(100).default(3),
  })
  .strict();

const modelsListOptionsSchema = z.object({ cache_dir: z.string().min(1).optional() }).strict();

const USAGE = 'usage: cocoon models pull hf:<owner>/<repo>/<file>.gguf[@revision] [--sha256 HEX] [--cache-dir DIR] [--base-url URL]\n       cocoon models list [--cache-dir DIR]';

type WorkerModels = typeof WorkerPackage;

export interface ModelsCommandDeps {
  fetch?: typeof fetch;
  /** Whether stderr is a terminal (progress redrawn in place); default: process.stderr.isTTY for the process io. */
  isTerminal?: boolean;
  /** Raw stderr writes for terminal progress; default process.stderr.write. */
  writeStderr?: (text: string) => void;
}

export async function runModelsCommand(args: readonly string[], io: CliIo, deps: ModelsCommandDeps = {}): Promise<number> {
  const logger = createLogger('models', { ...logSettingsFromEnv(io.env), write: io.stderr });
  const [subcommand, ...rest] = args;
  if (subcommand === undefined || subcommand === '--help' || subcommand === '-h' || subcommand === 'help') {
    (subcommand === undefined ? io.stderr : io.stdout)(USAGE);
    return subcommand === undefined ? ExitCode.usage : ExitCode.ok;
  }
  const workerPackage = '@cocoon/worker';
  const models = (await import(workerPackage)) as WorkerModels;
  try {
    if (subcommand === 'list') {
      const options = loadConfig(modelsListOptionsSchema, { env: {}, envPrefix: 'COCOON_MODELS_', argv: rest });
      const cacheDir = options.cache_dir ?? models.defaultModelsDir(io.env);
      const cached = await models.listCachedModels(cacheDir);
      if (cached.length === 0) io.stderr(`no models in ${cacheDir} (cocoon models pull hf:<owner>/<repo>/<file>.gguf)`);
      for (const model of cached) io.stdout(`${model.record?.identity ?? '-'}  ${models.formatBytes(model.bytes)}  ${model.path}`);
      return ExitCode.ok;
    }
    if (subcommand !== 'pull') {
      io.stderr(`cocoon models: unknown subcommand '${subcommand}'\n${USAGE}`);
      return ExitCode.usage;
    }
    const [spec, ...flags] = rest;
    if (spec === undefined || spec.startsWith('--')) {
      io.stderr(USAGE);
      return ExitCode.usage;
    }
    const options = loadConfig(modelsPullOptionsSchema, { env: {}, envPrefix: 'COCOON_MODELS_', argv: flags });
    const source = models.parseModelSource(spec);
    const cacheDir = options.cache_dir ?? models.defaultModelsDir(io.env);
    const isTerminal = deps.isTerminal ?? (io === processIo && process.stderr.isTTY === true);
    const renderer = new models.DownloadProgressRenderer({
      isTerminal,
      write: deps.writeStderr ?? ((text) => void process.stderr.write(text)),
      line: io.stderr,
    });
    io.stderr(`pulling ${models.modelSourceUrl(source, options.base_url)} into ${cacheDir}`);
    const result = await models
      .downloadModel({
        source, cacheDir, retries: options.retries,
        ...(options.base_url ? { baseUrl: options.base_url } : {}),
        ...(options.sha256 ? { expectedSha256: options.sha256 } : {}),
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
        ...(io.env.HF_TOKEN ? { token: io.env.HF_TOKEN } : {}),
        onProgress: (progress) => renderer.update(progress),
        onNotice: (message) => {
          renderer.finish();
          io.stderr(message);
        },
      })
      .finally(() => renderer.finish());
    if (result.alreadyCached) io.stderr(`already cached: ${result.path}`);
    else io.stderr(`saved ${models.formatBytes(result.bytes)} to ${result.path} (sha256 ${result.verified ? 'verified' : 'NOT verified: the server gave no hash and no --sha256 was passed'})`);
    io.stdout(result.identity);
    return ExitCode.ok;
  } catch (error) {
    const failure = toCocoonError(error);
    logger.error(failure.message, { code: failure.code });
    return failure.code === 'CCN_ERR_CONFIG_INVALID' ? ExitCode.usage : ExitCode.failure;
  }
}
