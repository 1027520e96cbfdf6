/**
 * `cocoon chat --model M [--e2e] [--json] "prompt"`: one chat completion through the RUNNING client
 * runner, end to end encrypted with @cocoon/sdk's cocoonFetch. The client's config (--config, env
 * COCOON_CLIENT_*) gives the runner's HTTP address and the attestation trust (dev authority or
 * Intel/AMD, collateral directory); worker evidence is verified HERE with @cocoon/attestation's
 * verifier under the proxy policy of that config and the root allow-lists the runner reports in
 * `/v1/e2e/workers` `trust`. The answer streams to stdout. Without an e2e worker for the model the
 * request goes in clear with a warning on stderr — unless --e2e, which refuses (exit 1). --json prints
 * one line at the end: {"answer","usage","cost","e2e","receipt"} (the verified receipt summary).
 * With no config naming a trust, against a test network (the runner's `trust.is_test`) whose dev
 * attestation authority `cocoon dev` keeps in `.cocoon/dev/attestation`, that authority and policy tdx
 * are used (said on stderr): `npm start` then `npx cocoon chat …` verifies like the dev runners do.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { CocoonError, createLogger, loadConfig, logSettingsFromEnv, toCocoonError } from '@cocoon/protocol';
import type { E2eEvidenceVerifier, PeerPolicy } from '@cocoon/protocol';
import { RootHashPolicy, RunnerAttestation, allowedHashes, createE2eEvidenceVerifier } from '@cocoon/attestation';
import { cocoonFetch, cocoonReceipt, fetchE2eWorkers } from '@cocoon/sdk';
import type { CocoonReceiptSummary, E2eWorkersTrust } from '@cocoon/sdk';
import { ExitCode, processIo, type CliIo } from '../cli-io.ts';
import { splitConfigFileFlag } from './config-file-flag.ts';
import { loadOperatorConfig, statsUrlOf, type OperatorConfig } from './operator-role-config.ts';

export const CHAT_USAGE = 'usage: cocoon chat --model MODEL [--e2e] [--json] [--max-tokens N] [--config FILE] [--url URL] "prompt"\n'
  + '  one chat completion through the running client runner, end to end encrypted to an attested worker;\n'
  + '  --e2e: refuse to send in clear (default: clear with a warning when no e2e worker serves the model)';

const chatOptionsSchema = z.object({
  model: z.string().min(1),
  /** The client runner's URL (default from --config: http_host and http_port). */
  url: z.string().regex(/^https?:\/\//, 'expected an http(s) URL').optional(),
  e2e: z.boolean().default(false),
  json: z.boolean().default(false),
  max_tokens: z.number().int().min(1).max(2_147_483_647).optional(),
  max_recipients: z.number().int().min(1).max(32).default(3),
  timeout_seconds: z.number().positive().max(3600).default(120),
}).strict();

export interface ChatCommandDeps {
  /** Raw stdout writes for the streamed answer (default: process.stdout for the process io, else one io.stdout line at the end). */
  writeStdout?: (text: string) => void;
  fetch?: typeof fetch;
}

interface ChatOutcome {
  answer: string;
  usage: Record<string, unknown> | null;
  e2e: boolean;
  receipt: CocoonReceiptSummary | null;
}

/** The positional prompt (everything that is not a flag or a flag's value) and the flags. */
function splitPrompt(args: readonly string[]): { prompt: string; flags: string[] } {
  const words: string[] = [];
  const flags: string[] = [];
  const valueless = new Set(['--e2e', '--json', '--no-e2e', '--no-json']);
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '--') {
      words.push(...args.slice(index + 1));
      break;
    }
    if (arg.startsWith('--')) {
      flags.push(arg);
      if (!arg.includes('=') && !valueless.has(arg) && index + 1 < args.length) flags.push(args[++index]!);
    } else words.push(arg);
  }
  return { prompt: words.join(' '), flags };
}

/** The directory where `cocoon dev` keeps its dev attestation authority (relative to the working directory). */
export const DEV_NETWORK_AUTHORITY_DIR = join('.cocoon', 'dev', 'attestation');

/** The dev network's trust when nothing names one and the runner serves a test network (see the header). */
export function withDevNetworkTrust(config: OperatorConfig, file: string | undefined, trust: E2eWorkersTrust | undefined, io: CliIo, authorityDir = DEV_NETWORK_AUTHORITY_DIR): OperatorConfig {
  const named = file !== undefined || (typeof config.attestation_dev_authority_dir === 'string' && config.attestation_dev_authority_dir !== '');
  if (named || trust?.is_test !== true || !existsSync(join(authorityDir, 'root-ca.pem'))) return config;
  io.stderr(`cocoon chat: a test network: verifying workers under the dev attestation authority in ${authorityDir} (policy tdx)`);
  return { ...config, attestation_dev_authority_dir: authorityDir, proxy_policy: 'tdx' };
}

/** The worker attestation policy: the client's proxy policy (tdx in production; fake_tdx/any only on test networks). */
function workerPolicyOf(config: OperatorConfig): PeerPolicy {
  const policy = config.e2e_worker_policy ?? config.proxy_policy;
  return policy === 'any' || policy === 'fake_tdx' || policy === 'tdx' ? policy : 'tdx';
}

async function evidenceVerifier(config: OperatorConfig, trust: E2eWorkersTrust | undefined, io: CliIo): Promise<{ verifier: E2eEvidenceVerifier; close: () => void }> {
  const text = (key: string, fallback: string): string => (typeof config[key] === 'string' ? config[key] as string : fallback);
  const attestation = await RunnerAttestation.open({
    role: 'client', tee: 'none', devAuthorityDir: text('attestation_dev_authority_dir', ''), pccsUrl: text('attestation_pccs_url', 'https://api.trustedservices.intel.com'),
    collateralDir: text('attestation_collateral_dir', '.cocoon/client/collateral'), now: () => new Date(),
    logger: createLogger('chat', { ...logSettingsFromEnv(io.env), level: 'warn', write: io.stderr }),
  });
  const hashes = trust?.hashes_checked ? RootHashPolicy.fixed(allowedHashes({ workerHashes: trust.worker_hashes, modelHashes: trust.model_hashes })) : undefined;
  // Off chain the runner is the root: it reports is_test from its own config (a production root says false).
  const verifier = createE2eEvidenceVerifier(attestation, { policy: workerPolicyOf(config), networkIsTest: trust?.is_test ?? false, ...(hashes ? { hashes } : {}) });
  return { verifier, close: () => attestation.certificate.stop() };
}

/** Reads the SSE answer: deltas go to `write` as they come; the usage chunk is kept. */
async function readStreamedAnswer(response: Response, write: (text: string) => void): Promise<{ answer: string; usage: Record<string, unknown> | null }> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let pending = '';
  let answer = '';
  let usage: Record<string, unknown> | null = null;
  const handle = (line: string): void => {
    if (!line.startsWith('data:')) return;
    const data = line.slice(5).trim();
    if (data === '' || data === '[DONE]') return;
    const event = JSON.parse(data) as { choices?: Array<{ delta?: { content?: unknown }; text?: unknown }>; usage?: Record<string, unknown> | null };
    for (const choice of event.choices ?? []) {
      const piece = typeof choice.delta?.content === 'string' ? choice.delta.content : typeof choice.text === 'string' ? choice.text : '';
      if (piece) {
        answer += piece;
        write(piece);
      }
    }
    if (event.usage) usage = event.usage;
  };
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    pending += decoder.decode(value, { stream: true });
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      handle(pending.slice(0, newline).replace(/\r$/, ''));
      pending = pending.slice(newline + 1);
    }
  }
  handle(pending.trim());
  return { answer, usage };
}

async function failureOf(response: Response): Promise<CocoonError> {
  const text = await response.text();
  try {
    const error = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error;
    const code = typeof error?.code === 'string' && error.code.startsWith('CCN_ERR_') ? error.code : 'CCN_ERR_INTERNAL';
    return new CocoonError(code as CocoonError['code'], typeof error?.message === 'string' ? error.message : `HTTP ${response.status}`);
  } catch {
    return new CocoonError('CCN_ERR_INTERNAL', `the client runner answered HTTP ${response.status} without JSON`);
  }
}

export async function runChatCommand(args: readonly string[], io: CliIo, deps: ChatCommandDeps = {}): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(CHAT_USAGE);
    return ExitCode.ok;
  }
  let options: z.output<typeof chatOptionsSchema>;
  let prompt: string;
  let config: OperatorConfig;
  let file: string | undefined;
  try {
    const split = splitPrompt(args);
    const configFile = splitConfigFileFlag(split.flags);
    file = configFile.file;
    const { rest } = configFile;
    options = loadConfig(chatOptionsSchema, { env: {}, envPrefix: 'COCOON_CHAT_', argv: rest });
    prompt = split.prompt;
    if (prompt.trim() === '') throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'the prompt is missing', { param: 'prompt' });
    config = await loadOperatorConfig('client', file, io.env);
  } catch (error) {
    io.stderr(`cocoon chat: ${toCocoonError(error).message}`);
    io.stderr(CHAT_USAGE);
    return ExitCode.usage;
  }
  const baseURL = options.url ?? statsUrlOf('client', config);
  const fetchImpl = deps.fetch ?? fetch;
  const streamed: string[] = [];
  const write = options.json ? () => undefined : (deps.writeStdout ?? (io === processIo ? (text: string) => void process.stdout.write(text) : (text: string) => void streamed.push(text)));
  let closeVerifier: (() => void) | undefined;
  try {
    const listing = await fetchE2eWorkers(fetchImpl, baseURL.replace(/\/+$/, ''), options.model, AbortSignal.timeout(30_000));
    const { verifier, close } = await evidenceVerifier(withDevNetworkTrust(config, file, listing.trust, io), listing.trust, io);
    closeVerifier = close;
    let clear = false;
    const chatFetch = cocoonFetch({
      baseURL, verifier, fetch: fetchImpl, maxRecipients: options.max_recipients, require: options.e2e,
      onFallback: (reason) => {
        clear = true;
        io.stderr(`cocoon chat: WARNING: ${reason}; sending the prompt WITHOUT end-to-end encryption (the proxy can read it; --e2e refuses instead)`);
      },
    });
    const response = await chatFetch(`${baseURL.replace(/\/+$/, '')}/v1/chat/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(options.timeout_seconds * 1000),
      body: JSON.stringify({
        model: options.model, messages: [{ role: 'user', content: prompt }], stream: true, stream_options: { include_usage: true },
        ...(options.max_tokens !== undefined ? { max_tokens: options.max_tokens } : {}), timeout: options.timeout_seconds,
      }),
    });
    if (!response.ok) throw await failureOf(response);
    const { answer, usage } = await readStreamedAnswer(response, write);
    const receipt = clear ? undefined : await cocoonReceipt(response);
    const outcome: ChatOutcome = { answer, usage, e2e: receipt !== undefined, receipt: receipt ?? null };
    if (options.json) {
      const cost = outcome.receipt?.cost_nanoton ?? (typeof usage?.total_cost === 'number' ? String(usage.total_cost) : null);
      io.stdout(JSON.stringify({ answer: outcome.answer, usage: outcome.usage, cost, e2e: outcome.e2e, receipt: outcome.receipt }));
    } else {
      if (streamed.length > 0 || (io !== processIo && !deps.writeStdout)) io.stdout(streamed.join(''));
      else write('\n');
      if (outcome.receipt) io.stderr(`cocoon chat: end-to-end encrypted; receipt ${outcome.receipt.request_id} verified (${outcome.receipt.tokens_used.total} tokens, ${outcome.receipt.cost_nanoton} nanoTON, worker ${outcome.receipt.tee} key ${outcome.receipt.signing_public_key.slice(0, 16)}…)`);
    }
    return ExitCode.ok;
  } catch (error) {
    const failure = toCocoonError(error);
    if (options.json) io.stdout(JSON.stringify({ error: { code: failure.code, message: failure.message }, e2e: false, receipt: null }));
    io.stderr(`cocoon chat: ${failure.code}: ${failure.message}`);
    return ExitCode.failure;
  } finally {
    closeVerifier?.();
  }
}
