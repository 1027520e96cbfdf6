/**
 * The JSON log format (`--log-format json`): one object per line,
 * `{"time":"2025-01-01T00:00:00.000Z","level":"info","role":"proxy","msg":"worker connected","fields":{"model":"tiny"}}`,
 * for operators who ship logs. The same secret redaction as the text format: a secret-looking key's
 * value becomes `[redacted]` at any depth. bigint values are numbers when exact (else decimal
 * strings), bytes are hex, errors their message, dates ISO text; `fields` is left out when empty.
 */
import { REDACTED, isSecretLogKey } from './secret-redaction.ts';

const MAX_DEPTH = 8;

/** A log field value as plain JSON data, secrets redacted. */
export function jsonLogValue(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value !== 'object') return typeof value === 'function' || typeof value === 'symbol' ? String(value) : value;
  if (value instanceof Error) return value.message;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex');
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) return value.map((item) => jsonLogValue(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item !== undefined) copy[key] = isSecretLogKey(key) ? REDACTED : jsonLogValue(item, depth + 1);
  }
  return copy;
}

/** One JSON log line (no trailing newline): time, level, role, msg and, when there are any, fields. */
export function formatJsonLogLine(time: Date, level: string, role: string, message: string, fields?: Readonly<Record<string, unknown>>): string {
  const line: Record<string, unknown> = { time: time.toISOString(), level, role, msg: message };
  const rendered = jsonLogValue(fields ?? {}) as Record<string, unknown>;
  if (Object.keys(rendered).length > 0) line.fields = rendered;
  return JSON.stringify(line);
}
