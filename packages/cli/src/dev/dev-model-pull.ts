/**
 * The real-model offer of `cocoon dev`: with no --model and an empty model cache, it pulls a small
 * real instruct GGUF (DEV_PULL_MODEL_SOURCE) into the cache when the download base is reachable and
 * the user agrees (a y/N question on a terminal; `--pull-model` / COCOON_DEV_PULL_MODEL=true
 * elsewhere), with a progress bar on stderr. Every way it does not pull (declined, not a terminal,
 * offline, the download failed or its SHA-256 did not match) comes back as a one-line reason, and
 * the caller falls back to the generated tiny model. The reachability probe is bounded
 * (DEFAULT_PROBE_TIMEOUT_MS) so an offline start waits at most that long.
 */
import { createInterface } from 'node:readline/promises';
import { toCocoonError } from '@cocoon/protocol';
import type * as WorkerPackage from '@cocoon/worker';

/** Qwen2.5-0.5B-Instruct, Q4_K_M (about 490 MB), from Qwen's own GGUF repository. */
export const DEV_PULL_MODEL_SOURCE = 'hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf';
export const DEV_PULL_MODEL_DESCRIPTION = 'Qwen2.5-0.5B-Instruct Q4_K_M (about 490 MB)';
/** How long the reachability probe of the download base may take. */
export const DEFAULT_PROBE_TIMEOUT_MS = 1500;

/** ask: a y/N question on a terminal, nothing elsewhere; yes: pull without asking; no: never. */
export type DevModelPullMode = 'ask' | 'yes' | 'no';

export interface DevModelPullOptions {
  mode: DevModelPullMode;
  /** Download root; default https://huggingface.co (tests: a local Hugging-Face-like server). */
  baseUrl?: string;
  /** Default DEV_PULL_MODEL_SOURCE. */
  source?: string;
  /** Expected SHA-256; default: the server's X-Linked-Etag (what Hugging Face sends for LFS files). */
  sha256?: string;
  /** Whether stdin and stderr are a terminal (asking is possible, the bar is redrawn); default process.stdin/stderr.isTTY. */
  isTerminal?: boolean;
  /** Whether the base URL answers within timeoutMs; default an HTTP HEAD of it. */
  probe?: (baseUrl: string, timeoutMs: number) => Promise<boolean>;
  probeTimeoutMs?: number;
  /** Asks a y/N question; default readline on stdin/stderr (an empty answer is no). */
  prompt?: (question: string) => Promise<boolean>;
  /** Raw stderr writes (the redrawn bar) and whole lines (plain progress, notices); default process.stderr. */
  write?: (text: string) => void;
  line?: (text: string) => void;
  fetch?: typeof fetch;
  /** HF_TOKEN for gated mirrors. */
  token?: string;
  retries?: number;
  retryDelayMs?: number;
}

export type DevModelPullOutcome =
  | { pulled: true; path: string; identity: string; verified: boolean }
  | { pulled: false; reason: string };

/** Online = the base URL gives any HTTP answer within the timeout. */
export async function probeDownloadBase(baseUrl: string, timeoutMs: number, fetcher: typeof fetch = fetch): Promise<boolean> {
  try {
    const response = await fetcher(baseUrl, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return true;
  } catch {
    return false;
  }
}

async function askOnTerminal(question: string): Promise<boolean> {
  const readline = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^\s*y(es)?\s*$/i.test(await readline.question(question));
  } finally {
    readline.close();
  }
}

async function workerPackage(): Promise<typeof WorkerPackage> {
  const name = '@cocoon/worker';
  return (await import(name)) as typeof WorkerPackage;
}

/** Offers, and maybe performs, the pull of the dev model into `modelsDir`. Never throws for network or hash trouble. */
export async function offerDevModelPull(options: DevModelPullOptions, modelsDir: string): Promise<DevModelPullOutcome> {
  if (options.mode === 'no') return { pulled: false, reason: 'model pull disabled (--no-pull-model)' };
  const isTerminal = options.isTerminal ?? (process.stdin.isTTY === true && process.stderr.isTTY === true);
  if (options.mode === 'ask' && !isTerminal) {
    return { pulled: false, reason: `not a terminal, so not asking: pass --pull-model (or COCOON_DEV_PULL_MODEL=true) to download ${DEV_PULL_MODEL_DESCRIPTION}` };
  }
  const worker = await workerPackage();
  const baseUrl = options.baseUrl ?? worker.HUGGING_FACE_BASE_URL;
  const timeoutMs = options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const probe = options.probe ?? ((url: string, timeout: number) => probeDownloadBase(url, timeout, options.fetch));
  if (!(await probe(baseUrl, timeoutMs))) return { pulled: false, reason: `offline: ${baseUrl} did not answer within ${timeoutMs} ms` };
  const spec = options.source ?? DEV_PULL_MODEL_SOURCE;
  if (options.mode === 'ask') {
    const question = `No model in ${modelsDir}. Download ${DEV_PULL_MODEL_DESCRIPTION} from ${baseUrl} (${spec})? [y/N] `;
    if (!(await (options.prompt ?? askOnTerminal)(question))) return { pulled: false, reason: 'download declined' };
  }
  const write = options.write ?? ((text: string) => void process.stderr.write(text));
  const line = options.line ?? ((text: string) => write(`${text}\n`));
  const renderer = new worker.DownloadProgressRenderer({ isTerminal, write, line });
  try {
    const source = worker.parseModelSource(spec);
    line(`pulling ${worker.modelSourceUrl(source, baseUrl)} into ${modelsDir}`);
    const result = await worker
      .downloadModel({
        source, cacheDir: modelsDir, baseUrl,
        ...(options.sha256 === undefined ? {} : { expectedSha256: options.sha256 }),
        ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
        ...(options.token === undefined ? {} : { token: options.token }),
        ...(options.retries === undefined ? {} : { retries: options.retries }),
        ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
        onProgress: (progress) => renderer.update(progress),
        onNotice: (message) => {
          renderer.finish();
          line(message);
        },
      })
      .finally(() => renderer.finish());
    line(`saved ${worker.formatBytes(result.bytes)} to ${result.path} (sha256 ${result.verified ? 'verified' : 'NOT verified: the server sent no hash'})`);
    return { pulled: true, path: result.path, identity: result.identity, verified: result.verified };
  } catch (error) {
    const failure = toCocoonError(error);
    return { pulled: false, reason: `download failed (${failure.code}): ${failure.message}` };
  }
}
