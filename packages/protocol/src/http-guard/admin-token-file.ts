/**
 * The per-runner admin token that authorizes the `/request/*` control endpoints: 32 random
 * bytes as hex in a file with 0600 permissions (its directory 0700), created on first start and
 * reused afterwards. Creation is atomic (a temporary file hard-linked into place), so runners
 * started at the same time on one path end up with the same token. The token is a secret: it is
 * never logged and never part of an error message.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CocoonError } from '../errors/error-table.ts';

const TOKEN_PATTERN = /^[0-9a-f]{64}$/;

/** Reads the admin token in `path`, creating the file (and its directory) with a fresh token if it does not exist. */
export function loadOrCreateAdminToken(path: string, random: (bytes: number) => Buffer = randomBytes): string {
  if (!fileExists(path)) createTokenFile(path, random(32).toString('hex'));
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  const token = readFileSync(path, 'utf8').trim().toLowerCase();
  if (!TOKEN_PATTERN.test(token)) {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', `admin token file ${path} must hold 64 hex characters (delete it to get a new token)`, { param: 'admin_token_file' });
  }
  return token;
}

/** Reads an existing admin token (for tools such as `cocoon dev settle`); never creates one. */
export function readAdminToken(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', `cannot read the admin token file ${path} (${reason})`, { param: 'admin_token_file' });
  }
  const token = text.trim().toLowerCase();
  if (!TOKEN_PATTERN.test(token)) throw new CocoonError('CCN_ERR_CONFIG_INVALID', `admin token file ${path} must hold 64 hex characters`, { param: 'admin_token_file' });
  return token;
}

function fileExists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** Writes the token to a private temporary file, then links it to `path` unless another process won the race. */
function createTokenFile(path: string, token: string): void {
  const directory = dirname(path);
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const temporary = join(directory, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  writeFileSync(temporary, `${token}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temporary);
  }
}
