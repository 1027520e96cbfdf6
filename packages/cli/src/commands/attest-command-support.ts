/**
 * What the `cocoon attest` subcommands share: their dependencies, the flag parser (usage errors
 * exit 2), time/integer/JSON-file readers, and the output (one JSON line, or `key  value` rows;
 * the error code and message always on stderr; exit 0 ok, 1 refused or failed).
 */
import { readFile } from 'node:fs/promises';
import { CocoonError } from '@cocoon/protocol';
import type { SimulatedRunnerRole, TsmFileSystem } from '@cocoon/attestation';
import { ExitCode, type CliIo } from '../cli-io.ts';

export interface AttestCommandDeps {
  /** Directory holding the runner packages (default: this repository's packages/). */
  packagesDirectory?: string;
  /** configfs-tsm report root for `self --tee tdx|sev-snp` (default /sys/kernel/config/tsm/report). */
  tsmReportRoot?: string;
  /** The configfs-tsm file operations (tests emulate the kernel; default node:fs). */
  tsmFileSystem?: TsmFileSystem;
  now?: () => Date;
}

export class UsageError extends Error {}

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string>;
}

const VALUE_FLAGS = new Set([
  'tee', 'role', 'authority-dir', 'static-config', 'collateral', 'at', 'allow-status', 'dev-authority', 'policy', 'max-pow-difficulty', 'timeout-ms',
  'vcek', 'chain', 'crl',
]);
const BOOLEAN_FLAGS = new Set(['json', 'debug']);

export function parseArgs(args: readonly string[], allowed: readonly string[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (!allowed.includes(name)) throw new UsageError(`unknown option --${name}`);
    if (BOOLEAN_FLAGS.has(name)) flags.set(name, 'true');
    else if (VALUE_FLAGS.has(name)) {
      const value = inline ?? args[++index];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
    }
  }
  return { positional, flags };
}

/** `--role`: proxy, worker or key_manager (key-manager, the CLI role's name, too). */
export function parseRole(role: string): SimulatedRunnerRole {
  if (role === 'proxy' || role === 'worker' || role === 'key_manager') return role;
  if (role === 'key-manager') return 'key_manager';
  throw new UsageError(`--role: expected proxy, worker or key-manager, got ${role}`);
}

export function parseTime(text: string | undefined, fallback: () => Date): Date {
  if (text === undefined) return fallback();
  const time = new Date(text);
  if (Number.isNaN(time.getTime())) throw new UsageError(`--at: not an ISO time: ${text}`);
  return time;
}

export function parseInteger(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) throw new UsageError(`--${name}: expected a non-negative integer, got ${text}`);
  return value;
}

/** A file's bytes; a missing or unreadable file is CCN_ERR_CONFIG_INVALID naming it. */
export async function readInputFile(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (cause) {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', `cannot read ${what} ${path}: ${(cause as Error).message}`, { cause });
  }
}

export async function readJsonFile<T>(path: string, what: string): Promise<T> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (cause) {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', `${what} ${path} is missing or not JSON: ${(cause as Error).message}`, { cause });
  }
}

export const allowedStatuses = (flags: Map<string, string>): string[] | undefined =>
  flags.get('allow-status')?.split(',').map((status) => status.trim()).filter((status) => status.length > 0);

/** Output: one JSON line on stdout, or `key  value` rows; the error (code: message) always on stderr. */
export function emit(io: CliIo, json: boolean, title: string, result: Record<string, unknown>, error: CocoonError | undefined): number {
  const body = error ? { ...result, error: { code: error.code, message: error.message } } : result;
  if (json) io.stdout(JSON.stringify(body));
  else {
    io.stdout(title);
    for (const [key, value] of Object.entries(result)) {
      if (value === undefined) continue;
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        for (const [inner, innerValue] of Object.entries(value)) io.stdout(`  ${`${key}.${inner}`.padEnd(24)} ${formatValue(innerValue)}`);
      } else io.stdout(`  ${key.padEnd(24)} ${formatValue(value)}`);
    }
  }
  if (error) io.stderr(`cocoon attest: ${error.code}: ${error.message}`);
  return error ? ExitCode.failure : ExitCode.ok;
}

const formatValue = (value: unknown): string =>
  Array.isArray(value) ? (value.length === 0 ? '-' : value.map((item) => (typeof item === 'object' ? JSON.stringify(item) : String(item))).join(', ')) : value === null ? '-' : String(value);
