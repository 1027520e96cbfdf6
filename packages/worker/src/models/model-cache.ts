/**
 * The local model cache of `cocoon models pull` / `cocoon dev`: `<cache>/<owner>/<repo>/<revision>/<file>`
 * plus a `<file>.cocoon.json` sidecar with the model identity, source and size. The cache dir is
 * `--cache-dir`, else `$COCOON_MODELS_DIR`, else `~/.cache/cocoon/models`.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ModelSource } from './model-source.ts';

export const MODEL_SIDECAR_SUFFIX = '.cocoon.json';
export const PARTIAL_SUFFIX = '.partial';

export interface CachedModelRecord {
  identity: string;
  sha256: string;
  bytes: number;
  source: string;
  url: string;
  downloaded_at: string;
}

export interface CachedModel {
  path: string;
  bytes: number;
  modifiedAt: number;
  /** From the sidecar; undefined for GGUF files not pulled by cocoon. */
  record: CachedModelRecord | undefined;
}

export function defaultModelsDir(env: Record<string, string | undefined> = process.env): string {
  const fromEnv = env.COCOON_MODELS_DIR;
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : join(homedir(), '.cache', 'cocoon', 'models');
}

export function cachedModelPath(cacheDir: string, source: ModelSource): string {
  return join(cacheDir, source.owner, source.repo, source.revision, ...source.file.split('/'));
}

export async function readModelRecord(modelPath: string): Promise<CachedModelRecord | undefined> {
  try {
    const parsed = JSON.parse(await readFile(modelPath + MODEL_SIDECAR_SUFFIX, 'utf8')) as Partial<CachedModelRecord>;
    return typeof parsed.identity === 'string' && typeof parsed.sha256 === 'string' ? (parsed as CachedModelRecord) : undefined;
  } catch {
    return undefined;
  }
}

export async function writeModelRecord(modelPath: string, record: CachedModelRecord): Promise<void> {
  await writeFile(modelPath + MODEL_SIDECAR_SUFFIX, `${JSON.stringify(record, null, 2)}\n`);
}

/** Every complete `.gguf` under the cache dir, newest first. A missing dir is an empty cache. */
export async function listCachedModels(cacheDir: string): Promise<CachedModel[]> {
  const found: CachedModel[] = [];
  const walk = async (directory: string, depth: number): Promise<void> => {
    let entries;
    try {
      entries = await readdir(directory, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(directory, entry.name);
      if (entry.isDirectory() && depth < 8) await walk(path, depth + 1);
      else if (entry.isFile() && entry.name.toLowerCase().endsWith('.gguf')) {
        const info = await stat(path);
        found.push({ path, bytes: info.size, modifiedAt: info.mtimeMs, record: await readModelRecord(path) });
      }
    }
  };
  await walk(cacheDir, 0);
  return found.sort((left, right) => right.modifiedAt - left.modifiedAt || left.path.localeCompare(right.path));
}
