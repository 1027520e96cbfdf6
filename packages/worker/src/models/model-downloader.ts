/**
 * Downloads a GGUF model into the local cache (`cocoon models pull`): follows redirects by hand
 * (Hugging Face answers LFS files with a redirect whose headers carry `X-Linked-Etag`, the
 * file's SHA-256, and `X-Repo-Commit`), resumes from `<file>.partial` with `Range: bytes=N-`
 * (also automatically after a cut connection), hashes while it writes, verifies the SHA-256
 * (given, or the server's), then moves the file in place and writes its identity sidecar.
 */
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CocoonError } from '@cocoon/protocol';
import { cachedModelPath, PARTIAL_SUFFIX, readModelRecord, writeModelRecord } from './model-cache.ts';
import { formatModelSource, modelSourceName, modelSourceUrl } from './model-source.ts';
import type { ModelSource } from './model-source.ts';
import { isSha256Hex } from './model-identity.ts';

export interface DownloadProgress {
  received: number;
  total: number | undefined;
  /** Average rate of this attempt, bytes per second. */
  bytesPerSecond: number;
  resumedFrom: number;
}

export interface ModelDownloadOptions {
  source: ModelSource;
  cacheDir: string;
  baseUrl?: string;
  /** Expected SHA-256 (hex); else the server's `X-Linked-Etag`/`ETag` when it is one. */
  expectedSha256?: string;
  fetch?: typeof fetch;
  /** Bearer token for gated or private repositories (HF_TOKEN). */
  token?: string;
  /** Automatic resumes after a failed attempt (default 3). */
  retries?: number;
  retryDelayMs?: number;
  onProgress?: (progress: DownloadProgress) => void;
  /** A line about what happens (resuming, retrying); default: nothing. */
  onNotice?: (message: string) => void;
  now?: () => number;
}

export interface ModelDownloadResult {
  path: string;
  identity: string;
  sha256: string;
  bytes: number;
  /** True when the file was already in the cache (nothing downloaded). */
  alreadyCached: boolean;
  /** Whether the SHA-256 was checked against an expected value (given or from the server). */
  verified: boolean;
}

interface OpenedDownload {
  response: Response;
  linkedSha256: string | undefined;
  repoCommit: string | undefined;
}

const MAX_REDIRECTS = 8;
const PROGRESS_INTERVAL_MS = 250;

const downloadError = (message: string, cause?: unknown) => new CocoonError('CCN_ERR_MODEL_DOWNLOAD', message, { param: 'source', cause });

function sha256FromEtag(value: string | null): string | undefined {
  const cleaned = value?.replace(/^W\//, '').replace(/"/g, '').trim().toLowerCase();
  return cleaned !== undefined && isSha256Hex(cleaned) ? cleaned : undefined;
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

async function hashFilePrefix(hash: Hash, path: string): Promise<void> {
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
}

/** GET with `Range` from `offset`, following redirects by hand to keep the headers of every hop. */
async function openDownload(url: string, offset: number, options: ModelDownloadOptions): Promise<OpenedDownload> {
  const fetcher = options.fetch ?? fetch;
  const origin = new URL(url).origin;
  let linkedSha256: string | undefined;
  let repoCommit: string | undefined;
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const headers: Record<string, string> = { 'user-agent': 'cocoon-models/1' };
    if (offset > 0) headers.range = `bytes=${offset}-`;
    if (options.token && new URL(current).origin === origin) headers.authorization = `Bearer ${options.token}`;
    let response: Response;
    try {
      response = await fetcher(current, { headers, redirect: 'manual' });
    } catch (error) {
      throw downloadError(`cannot reach ${current}: ${(error as Error).message}`, error);
    }
    linkedSha256 ??= sha256FromEtag(response.headers.get('x-linked-etag'));
    repoCommit ??= response.headers.get('x-repo-commit') ?? undefined;
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      current = new URL(location, current).toString();
      continue;
    }
    return { response, linkedSha256: linkedSha256 ?? sha256FromEtag(response.headers.get('etag')), repoCommit };
  }
  throw downloadError(`too many redirects fetching ${url}`);
}

function describeStatus(status: number, url: string): CocoonError {
  if (status === 404) return downloadError(`not found: ${url} (HTTP 404): check the owner, repository, file name and revision`);
  if (status === 401 || status === 403) return downloadError(`access denied to ${url} (HTTP ${status}): a gated or private repository needs HF_TOKEN`);
  return downloadError(`download of ${url} failed: HTTP ${status}`);
}

/** Total size from Content-Range (`bytes a-b/T`) or Content-Length plus the resume offset. */
function totalOf(response: Response, offset: number): number | undefined {
  const range = /\/(\d+)\s*$/.exec(response.headers.get('content-range') ?? '');
  if (range) return Number(range[1]);
  const length = response.headers.get('content-length');
  return length !== null && /^\d+$/.test(length) ? offset + Number(length) : undefined;
}

export async function downloadModel(options: ModelDownloadOptions): Promise<ModelDownloadResult> {
  const url = modelSourceUrl(options.source, options.baseUrl);
  const path = cachedModelPath(options.cacheDir, options.source);
  const partial = path + PARTIAL_SUFFIX;
  const expected = options.expectedSha256?.toLowerCase();
  if (expected !== undefined && !isSha256Hex(expected)) throw new CocoonError('CCN_ERR_CONFIG_INVALID', `--sha256 must be 64 hex characters, got '${options.expectedSha256}'`, { param: 'sha256' });
  const existing = await readModelRecord(path);
  if (existing && (await fileSize(path)) === existing.bytes && (expected === undefined || expected === existing.sha256)) {
    return { path, identity: existing.identity, sha256: existing.sha256, bytes: existing.bytes, alreadyCached: true, verified: true };
  }
  await mkdir(dirname(path), { recursive: true });
  const now = options.now ?? Date.now;
  const retries = options.retries ?? 3;
  let lastError: unknown;
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) {
      options.onNotice?.(`retrying (${attempt}/${retries}) after: ${(lastError as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, options.retryDelayMs ?? 1000));
    }
    let offset = await fileSize(partial);
    let opened: OpenedDownload;
    try {
      opened = await openDownload(url, offset, options);
    } catch (error) {
      lastError = error;
      continue;
    }
    const { response } = opened;
    if (response.status === 416 && offset > 0) {
      await response.body?.cancel();
      options.onNotice?.('the partial file does not fit the server file (HTTP 416); starting over');
      await rm(partial, { force: true });
      lastError = downloadError('range not satisfiable');
      continue;
    }
    if (response.status !== 200 && response.status !== 206) {
      await response.body?.cancel();
      throw describeStatus(response.status, url);
    }
    if (response.status === 200 && offset > 0) {
      options.onNotice?.('the server ignored the resume range; downloading from the start');
      offset = 0;
    }
    if (offset > 0) options.onNotice?.(`resuming at byte ${offset}`);
    const total = totalOf(response, offset);
    const hash = createHash('sha256');
    if (offset > 0) await hashFilePrefix(hash, partial);
    const file = await open(partial, offset > 0 ? 'a' : 'w');
    let received = offset;
    const startedAt = now();
    let reportedAt = 0;
    const report = (force: boolean) => {
      const time = now();
      if (!force && time - reportedAt < PROGRESS_INTERVAL_MS) return;
      reportedAt = time;
      const seconds = Math.max(time - startedAt, 1) / 1000;
      options.onProgress?.({ received, total, bytesPerSecond: Math.round((received - offset) / seconds), resumedFrom: offset });
    };
    try {
      if (!response.body) throw downloadError(`empty response body from ${url}`);
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        hash.update(chunk);
        await file.write(chunk);
        received += chunk.length;
        report(false);
      }
    } catch (error) {
      lastError = downloadError(`download interrupted after ${received}${total === undefined ? '' : ` of ${total}`} bytes (${(error as Error).message}); the partial file is kept: run the same command again to resume`, error);
      continue;
    } finally {
      await file.close();
    }
    report(true);
    if (total !== undefined && received !== total) {
      lastError = downloadError(`download ended after ${received} of ${total} bytes; the partial file is kept: run the same command again to resume`);
      continue;
    }
    const sha256 = hash.digest('hex');
    const wanted = expected ?? opened.linkedSha256;
    if (wanted !== undefined && wanted !== sha256) {
      await rm(partial, { force: true });
      throw new CocoonError('CCN_ERR_MODEL_MISMATCH', `downloaded file ${url} has sha256 ${sha256}, expected ${wanted}${expected ? ' (--sha256)' : ' (server ETag)'}; the partial file was deleted`, { param: 'sha256' });
    }
    await rename(partial, path);
    const revision = opened.repoCommit !== undefined && /^[0-9a-f]{40}$/.test(opened.repoCommit) ? opened.repoCommit : options.source.revision;
    const identity = `${modelSourceName(options.source)}@${revision}:${sha256}`;
    await writeModelRecord(path, { identity, sha256, bytes: received, source: formatModelSource(options.source), url, downloaded_at: new Date(now()).toISOString() });
    return { path, identity, sha256, bytes: received, alreadyCached: false, verified: wanted !== undefined };
  }
  throw lastError instanceof CocoonError ? lastError : downloadError(`download of ${url} failed: ${String(lastError)}`, lastError);
}
