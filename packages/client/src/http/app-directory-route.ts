/**
 * The client's static page (config `app_dir`, e.g. the light client that `cocoon dev` builds): `GET|HEAD
 * /app` → 301 `/app/`, `/app/` → index.html, `/app/<file>` from the directory only. A path is served only
 * when each of its segments is a plain name (no `..`, `.`, empty, dotfile, encoded slash or backslash, NUL),
 * its real path (symlinks resolved) lies inside the directory's real path, it is a regular file and its
 * extension has a known type. Every file goes out with a Content-Security-Policy that lets the page run its
 * own scripts (and Telegram's WebApp script), talk only to this origin and be framed only by Telegram,
 * plus nosniff, no-referrer and no-cache. The page is public (no admin token); refusals are the edge's
 * OpenAI-style errors (404, 405).
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CocoonError } from '@cocoon/protocol';

export const APP_PATH = '/app';

/** What the page may do (see the header comment). */
export const APP_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' https://telegram.org",
  "connect-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "frame-ancestors 'self' https://web.telegram.org https://*.telegram.org",
].join('; ');

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
};

/** Larger files are not served (a page is a few hundred KiB). */
const MAX_FILE_BYTES = 32 * 1024 * 1024;

/** Whether `path` is the page's (`/app` or under `/app/`). */
export function isAppPath(path: string): boolean {
  return path === APP_PATH || path.startsWith(`${APP_PATH}/`);
}

/** The served directory, resolved once (its real path, so symlinked files are checked against it). */
export class AppDirectory {
  private constructor(readonly root: string) {}

  /** CCN_ERR_CONFIG_INVALID unless `directory` is a directory. */
  static async open(directory: string): Promise<AppDirectory> {
    let root: string;
    try {
      root = await realpath(directory);
      if (!(await stat(root)).isDirectory()) throw new Error('not a directory');
    } catch (error) {
      throw new CocoonError('CCN_ERR_CONFIG_INVALID', `app_dir ${directory} is not a readable directory (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { param: 'app_dir', cause: error });
    }
    return new AppDirectory(root);
  }

  /** The real path of the file `segments` names, or undefined when it is not one this directory serves. */
  async resolve(segments: readonly string[]): Promise<{ file: string; size: number } | undefined> {
    if (segments.length === 0 || !segments.every(isPlainName)) return undefined;
    let file: string;
    try {
      file = await realpath(join(this.root, ...segments));
    } catch {
      return undefined;
    }
    if (!file.startsWith(`${this.root}${sep}`)) return undefined; // a symlink out of the directory
    const inside = file.slice(this.root.length + 1).split(sep);
    if (!inside.every(isPlainName)) return undefined; // a symlink to a dotfile inside it
    const info = await stat(file).catch(() => undefined);
    return info?.isFile() && info.size <= MAX_FILE_BYTES ? { file, size: info.size } : undefined;
  }
}

/** A segment that names an entry of a directory and nothing else (already percent-decoded). */
function isPlainName(segment: string): boolean {
  return segment.length > 0 && segment.length <= 255 && !segment.startsWith('.') && !/[/\\\0]/.test(segment);
}

/** The decoded segments after `/app/` (`index.html` for the directory itself); undefined when malformed. */
function appSegments(path: string): string[] | undefined {
  const rest = path.slice(APP_PATH.length + 1);
  if (rest === '') return ['index.html'];
  try {
    return rest.split('/').map((segment) => decodeURIComponent(segment));
  } catch {
    return undefined; // a malformed percent escape
  }
}

const notFound = (path: string): CocoonError => new CocoonError('CCN_ERR_HTTP_NOT_FOUND', `no such file: ${path.slice(0, 200)}`);

/** Answers a request for `/app` or under it (see isAppPath); throws CocoonError for the caller to answer. */
export async function handleAppRoute(directory: AppDirectory, request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
  const method = request.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') {
    request.resume();
    throw new CocoonError('CCN_ERR_HTTP_METHOD_NOT_ALLOWED', `${APP_PATH}/ accepts GET and HEAD only`);
  }
  const path = url.pathname;
  if (path === APP_PATH) {
    response.writeHead(301, { location: `${APP_PATH}/${url.search}`, 'content-length': '0', 'cache-control': 'no-cache' });
    response.end();
    return;
  }
  const segments = appSegments(path);
  const type = segments && CONTENT_TYPES[extname(segments[segments.length - 1]!).toLowerCase()];
  const found = segments && type ? await directory.resolve(segments) : undefined;
  if (!found || !type) throw notFound(path);
  const body = method === 'HEAD' ? undefined : await readFile(found.file).catch(() => undefined);
  if (method === 'GET' && body === undefined) throw notFound(path);
  response.writeHead(200, {
    'content-type': type,
    'content-length': String(body?.length ?? found.size),
    'content-security-policy': APP_CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-cache',
  });
  response.end(body);
}
