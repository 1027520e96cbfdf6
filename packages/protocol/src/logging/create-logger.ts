/**
 * A tiny structured logger: one human-readable line per call,
 * `2025-01-01T00:00:00.000Z info proxy worker connected model=tiny port=11001`, or with format
 * `json` one JSON object per line (json-log-line.ts), with secret-looking fields redacted in both.
 * Writes to stderr unless told otherwise. The CLI picks level and format from COCOON_LOG_LEVEL and
 * COCOON_LOG_FORMAT (or the global `--log-format` flag): see logSettingsFromEnv.
 */
import { REDACTED, isSecretLogKey, redactSecrets } from './secret-redaction.ts';
import { formatJsonLogLine } from './json-log-line.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'text' | 'json';
export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json'];
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  readonly role: string;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger for a sub-component: role `proxy/worker-conn`. Same level and sink. */
  child(subRole: string): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** `text` (default): one human-readable line; `json`: one JSON object per line. */
  format?: LogFormat;
  /** Receives each line without a trailing newline. Default: process.stderr. */
  write?: (line: string) => void;
  now?: () => Date;
}

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

const jsonReplacer = (_key: string, value: unknown): unknown => (typeof value === 'bigint' ? value.toString() : value);

/** Renders a field value: bare when simple, JSON-quoted when it has spaces/quotes/`=`. */
export function formatLogValue(value: unknown): string {
  if (value instanceof Error) return formatLogValue(value.message);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return value !== '' && /^[^\s"'=]+$/.test(value) ? value : JSON.stringify(value);
  if (value === undefined || value === null || typeof value !== 'object') return String(value);
  return JSON.stringify(redactSecrets(value), jsonReplacer) ?? String(value);
}

export function formatLogLine(time: Date, level: LogLevel, role: string, message: string, fields?: LogFields): string {
  let line = `${time.toISOString()} ${level} ${role} ${message}`;
  for (const [key, value] of Object.entries(fields ?? {})) {
    if (value === undefined) continue;
    line += ` ${key}=${isSecretLogKey(key) ? REDACTED : formatLogValue(value)}`;
  }
  return line;
}

export function createLogger(role: string, options: LoggerOptions = {}): Logger {
  const minimum = LEVEL_RANK[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const format = options.format === 'json' ? formatJsonLogLine : formatLogLine;
  const log = (level: LogLevel) => (message: string, fields?: LogFields) => {
    if (LEVEL_RANK[level] >= minimum) write(format(now(), level, role, message, fields));
  };
  return {
    role,
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (subRole) => createLogger(`${role}/${subRole}`, options),
  };
}

/** Parses a level name (e.g. from COCOON_LOG_LEVEL); unknown values give `fallback`. */
export function parseLogLevel(text: string | undefined, fallback: LogLevel = 'info'): LogLevel {
  const lower = text?.toLowerCase();
  return lower === 'debug' || lower === 'info' || lower === 'warn' || lower === 'error' ? lower : fallback;
}

/** Parses a log format name (`text`, `json`, any case); undefined for anything else. */
export function parseLogFormat(text: string | undefined): LogFormat | undefined {
  const lower = text?.trim().toLowerCase();
  return lower === 'text' || lower === 'json' ? lower : undefined;
}

/** The level and format of the environment: COCOON_LOG_LEVEL (default info), COCOON_LOG_FORMAT (default text). */
export function logSettingsFromEnv(env: Readonly<Record<string, string | undefined>>): { level: LogLevel; format: LogFormat } {
  return { level: parseLogLevel(env.COCOON_LOG_LEVEL), format: parseLogFormat(env.COCOON_LOG_FORMAT) ?? 'text' };
}
