/**
 * `cocoon dev`: starts the local dev network (proxy — or --proxies N, registered on the dev root —, workers, client; engine llama by default,
 * --engine-url for an OpenAI-compatible server, --engine test for the canned TEST ENGINE),
 * prints its URLs, and stops it on Ctrl-C/SIGTERM (exit 0). A child that dies is restarted with
 * backoff while the others keep serving; one that cannot be restarted stops the network (exit 1).
 * It also builds the light-client page the client serves at /app/ (unless --no-light-client; a failed
 * build only leaves the page out), and --app-origin (repeatable) lets a page from another origin (a Mini
 * App behind an https tunnel) use the client, --telegram-bot-token-file admits only that bot's Mini App users. Options come from flags or COCOON_DEV_* env variables.
 */
import { CocoonError, createLogger, httpOriginSchema, loadConfig, logSettingsFromEnv, portSchema, toCocoonError } from '@cocoon/protocol';
import { z } from 'zod';
import { ExitCode, type CliIo } from '../cli-io.ts';
import { waitForShutdown } from '../shutdown-signal.ts';
import { DEV_POW_DIFFICULTY, startDevNetwork, type DevNetwork } from '../dev/dev-network.ts';
import { runDevSettleCommand } from './dev-settle-command.ts';
import type { DevModelPullOptions } from '../dev/dev-model-pull.ts';
import { DEV_ATTESTATION_KINDS, describeDevAttestation } from '../dev/dev-attestation.ts';
import { resolve } from 'node:path';

export const devCommandOptionsSchema = z
  .object({
    /** llama (default without --engine-url): embedded llama.cpp; openai (default with --engine-url); test: the canned TEST ENGINE. */
    engine: z.enum(['llama', 'openai', 'test']).optional(),
    engine_url: z.url({ protocol: /^https?$/ }).optional(),
    /**
     * llama: the GGUF file to serve (default: the newest cached model, else a generated tiny one).
     * openai/test: the model the workers serve, `name` or `name@revision:sha256` (default: the engine's first model).
     */
    model: z.string().min(1).optional(),
    /** llama: the model cache (default $COCOON_MODELS_DIR, else ~/.cache/cocoon/models). */
    models_dir: z.string().min(1).optional(),
    /**
     * llama, no --model and an empty cache: true pulls a small real instruct GGUF when online, false never
     * does; unset asks y/N on a terminal (elsewhere it serves the generated tiny model).
     */
    pull_model: z.boolean().optional(),
    /** Where --pull-model downloads from (a Hugging Face mirror); default https://huggingface.co. */
    model_base_url: z.url({ protocol: /^https?$/ }).optional(),
    /** llama: decoding threads per worker (default 1 under CI, else min(4, cores)). */
    llama_threads: z.number().int().min(1).max(512).optional(),
    pow_difficulty: z.number().int().min(0).max(28).default(DEV_POW_DIFFICULTY),
    workers: z.number().int().min(1).max(16).default(2),
    /** Proxies (§1.2): each with its own ports (+10 each), data and contracts; every worker serves all, the client spreads over them. */
    proxies: z.number().int().min(1).max(16).default(1),
    base_port_offset: z.number().int().min(0).max(50_000).default(0),
    client_port: portSchema.optional(),
    proxy_http_port: portSchema.optional(),
    proxy_worker_port: portSchema.optional(),
    proxy_client_port: portSchema.optional(),
    worker_http_port: portSchema.optional(),
    engine_port: portSchema.optional(),
    ready_timeout_seconds: z.number().positive().max(600).default(120),
    /** Chain state, keys and the proxy ledger (kept across restarts). */
    data_dir: z.string().min(1).default('.cocoon/dev'),
    /** No chain (in-memory accounting): for tests. */
    off_chain: z.boolean().default(false),
    /**
     * simulated: simulated TDX quotes verified under policy tdx against a dev authority; simulated-sev-snp: simulated
     * SEV-SNP reports (dev ARK); mixed: proxy and key manager TDX, odd workers SEV-SNP, even TDX; fake_tdx: unattested test mode.
     */
    tee: z.enum(DEV_ATTESTATION_KINDS).default('simulated'),
    /** Build the light-client page and serve it at the client's /app/ (--no-light-client: not). */
    light_client: z.boolean().default(true),
    /**
     * Origins (`https://host[:port]`) whose pages may use the client besides its own, e.g. a Telegram Mini App
     * served through an https tunnel: added to the client's http_cors_origins, their hosts to http_allowed_hosts.
     * Repeatable flag (`--app-origin A --app-origin B`); env COCOON_DEV_APP_ORIGIN takes a JSON list.
     */
    app_origin: z.array(httpOriginSchema).max(16).default([]),
    /**
     * A file (mode 600) holding a Telegram bot's token: the client then serves only that bot's Mini App users
     * (X-Telegram-Init-Data on every inference and e2e request, per-user limit); unset = off.
     */
    telegram_bot_token_file: z.string().min(1).optional(),
  })
  .strict();

const APP_ORIGIN_FLAG = '--app-origin';

/**
 * The argv with every `--app-origin X` (or `--app-origin=X`) gathered into one `--app-origin <JSON list>`, as
 * the config loader takes lists (a value that is already a JSON list is merged in).
 */
export function gatherAppOriginFlags(args: readonly string[]): string[] {
  const rest: string[] = [];
  const origins: unknown[] = [];
  let found = false;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    const inline = arg.startsWith(`${APP_ORIGIN_FLAG}=`) ? arg.slice(APP_ORIGIN_FLAG.length + 1) : undefined;
    if (arg !== APP_ORIGIN_FLAG && inline === undefined) {
      rest.push(arg);
      continue;
    }
    const value = inline ?? args[index + 1];
    if (inline === undefined) index++;
    if (value === undefined || (inline === undefined && value.startsWith('--'))) return [...args]; // the loader names the missing value
    found = true;
    origins.push(...jsonListOrValue(value));
  }
  return found ? [...rest, APP_ORIGIN_FLAG, JSON.stringify(origins)] : rest;
}

function jsonListOrValue(value: string): unknown[] {
  if (!value.trim().startsWith('[')) return [value];
  try {
    const parsed = JSON.parse(value) as unknown;
    return Array.isArray(parsed) ? parsed : [value];
  } catch {
    return [value]; // refused by the origin check, naming the value
  }
}

/** `cocoon dev`'s options from its flags and COCOON_DEV_* env; throws CCN_ERR_CONFIG_INVALID naming the bad one. */
export function loadDevCommandOptions(args: readonly string[], env: Record<string, string | undefined>): DevCommandOptions {
  return loadConfig(devCommandOptionsSchema, { env, envPrefix: 'COCOON_DEV_', argv: gatherAppOriginFlags(args) });
}

export type DevCommandOptions = z.output<typeof devCommandOptionsSchema>;

/** `encryptionKey`: the network key apps encrypt requests to (§20), as the client lists it. */
export function describeDevNetwork(network: DevNetwork, encryptionKey?: string): string[] {
  const lines = [`COCOON dev network ready: ${network.baseUrl}`];
  if (network.chain) lines.push(`  chain     ${network.chain.endpoint} (local TON emulator), root ${network.chain.rootAddress}`);
  lines.push(`  attest    ${describeDevAttestation(network.attestation)}`);
  if (network.proxies.length > 1) {
    const found = network.chain ? 'registered on the root; workers and the client discover them there' : 'workers and the client list them';
    lines.push(`  proxies   ${network.proxies.length} (${found}): ${network.proxies.map((proxy) => `${proxy.name} workers@${proxy.workerAddress} clients@${proxy.clientAddress}`).join(', ')}`);
  }
  if (encryptionKey) lines.push(`  encryption key (proto 3): ${encryptionKey} (GET /v1/encryption/keys)`);
  for (const [name, url] of Object.entries(network.statsUrls)) lines.push(`  stats ${name.padEnd(9)} ${url}`);
  if (network.lightClient) {
    lines.push(network.lightClient.built
      ? `  light client: ${network.lightClient.url ?? ''} (verifies attestation and seals in the page; a Telegram Mini App)`
      : `  light client: not served (${network.lightClient.reason})`);
  }
  if (network.model) lines.push(`  engine    embedded llama.cpp: ${network.model.identity}${network.model.label ? ` (${network.model.label})` : ''}`, `  model     ${network.model.path}`);
  else lines.push(network.usesTestEngine ? `  engine    ${network.engineUrl} (TEST ENGINE: canned answers, not a model)` : `  engine    ${network.engineUrl}`);
  lines.push('  press Ctrl-C to stop');
  return lines;
}

export async function runDevCommand(args: readonly string[], io: CliIo): Promise<number> {
  const logger = createLogger('dev', { ...logSettingsFromEnv(io.env), write: io.stderr });
  if (args[0] === 'settle') return runDevSettleCommand(args.slice(1), io, logger);
  let options: DevCommandOptions;
  try {
    options = loadDevCommandOptions(args, io.env);
  } catch (error) {
    logger.error(toCocoonError(error).message);
    return ExitCode.usage;
  }
  const engine = options.engine ?? (options.engine_url ? 'openai' : 'llama');
  let workerModel: string | undefined;
  try {
    if (engine !== 'llama') workerModel = await resolveWorkerModel(options);
  } catch (error) {
    logger.error(toCocoonError(error).message);
    return ExitCode.failure;
  }
  if (workerModel) logger.info(`workers serve model ${workerModel}`);
  const cancel = new AbortController();
  const shutdown = waitForShutdown({ onForce: () => process.exit(ExitCode.failure) });
  void shutdown.requested.then(() => cancel.abort());
  try {
    const network = await startDevNetwork({
      engine,
      ...(options.engine_url ? { engineUrl: options.engine_url } : {}),
      ...(engine === 'llama' && options.model ? { modelPath: resolve(options.model) } : {}),
      ...(options.models_dir ? { modelsDir: options.models_dir } : {}),
      ...(engine === 'llama' && !options.model ? { modelPull: devModelPullOptions(options, io) } : {}),
      ...(options.llama_threads ? { llamaThreads: options.llama_threads } : {}),
      dataDir: resolve(options.data_dir),
      powDifficulty: options.pow_difficulty,
      workers: options.workers,
      proxies: options.proxies,
      basePortOffset: options.base_port_offset,
      ports: {
        clientHttp: options.client_port,
        proxyHttp: options.proxy_http_port,
        proxyWorker: options.proxy_worker_port,
        proxyClient: options.proxy_client_port,
        workerHttp: options.worker_http_port,
        engine: options.engine_port,
      },
      readyTimeoutMs: options.ready_timeout_seconds * 1000,
      ...(options.off_chain ? {} : { chain: { directory: resolve(options.data_dir) } }),
      ...(workerModel ? { workerModel } : {}),
      attestation: options.tee,
      lightClient: options.light_client,
      ...(options.app_origin.length > 0 ? { appOrigins: options.app_origin } : {}),
      ...(options.telegram_bot_token_file ? { telegramBotTokenFile: resolve(options.telegram_bot_token_file) } : {}),
      logger,
      env: io.env,
      onLine: (name, stream, line) => (stream === 'stdout' ? io.stdout : io.stderr)(`[${name}] ${line}`),
      signal: cancel.signal,
    });
    const encryptionKey = network.chain ? await networkEncryptionKey(network.baseUrl) : undefined; // off chain the dev client lists none
    for (const line of describeDevNetwork(network, encryptionKey)) io.stdout(line);
    const outcome = await Promise.race([shutdown.requested.then(() => 'signal' as const), network.childFailure.then(() => 'child-failed' as const)]);
    logger.info(outcome === 'signal' ? 'stopping the dev network' : 'a child could not be restarted; the dev network is stopping');
    await network.stop();
    return outcome === 'signal' ? ExitCode.ok : ExitCode.failure;
  } catch (error) {
    if (cancel.signal.aborted) return ExitCode.ok;
    logger.error(toCocoonError(error).message);
    return ExitCode.failure;
  } finally {
    shutdown.dispose();
  }
}

/** The newest key the client's `GET /v1/encryption/keys` lists (the key manager's, on chain); undefined when none or unreachable. */
export async function networkEncryptionKey(baseUrl: string): Promise<string | undefined> {
  try {
    const response = await fetch(`${baseUrl}/encryption/keys`, { signal: AbortSignal.timeout(5000) });
    const body = (await response.json()) as { data?: Array<{ public_key?: unknown }> };
    const key = body.data?.[0]?.public_key;
    return typeof key === 'string' && /^[0-9a-f]{64}$/.test(key) ? key : undefined;
  } catch {
    return undefined; // the summary just leaves the line out
  }
}

/** How `cocoon dev` offers the real-model pull: --pull-model yes, --no-pull-model no, else ask on a terminal. */
export function devModelPullOptions(options: Pick<DevCommandOptions, 'pull_model' | 'model_base_url'>, io: CliIo): DevModelPullOptions {
  return {
    mode: options.pull_model === undefined ? 'ask' : options.pull_model ? 'yes' : 'no',
    ...(options.model_base_url ? { baseUrl: options.model_base_url } : {}),
    ...(io.env.HF_TOKEN ? { token: io.env.HF_TOKEN } : {}),
    line: io.stderr,
  };
}

/** Dev model strings: a bare name gets a local revision and an all-zero hash (the dev root allows exactly this string). */
export function devModelString(model: string): string {
  return model.includes('@') ? model : `${model}@local:${'0'.repeat(64)}`;
}

/** The model the workers should advertise: --model, else the real engine's first model, else the test engine's. */
export async function resolveWorkerModel(options: DevCommandOptions): Promise<string | undefined> {
  if (options.model) return devModelString(options.model);
  if (!options.engine_url) return undefined;
  const url = `${options.engine_url.replace(/\/+$/, '')}/v1/models`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    const body = (await response.json()) as { data?: Array<{ id?: unknown }> };
    const id = body.data?.find((entry) => typeof entry.id === 'string')?.id;
    if (typeof id === 'string') return devModelString(id);
  } catch {
    // reported below
  }
  throw new CocoonError('CCN_ERR_CONFIG_INVALID', `could not list the models of the engine at ${url}; is it running? Or pass --model NAME`, { param: 'model' });
}
