/**
 * Reads the three runtime config sources into flat entries keyed by the snake_case
 * config key: a JSON file, prefixed environment variables, and `--kebab-case` flags.
 * Unknown keys are rejected here, naming the key and the source.
 */
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { coerceConfigValue, isBooleanField } from './config-value-coercion.ts';
import { configError, envNameForKey, flagNameForKey } from './config-error.ts';

export type ConfigSourceKind = 'file' | 'env' | 'flag';

export interface ConfigEntry {
  key: string;
  value: unknown;
  kind: ConfigSourceKind;
  /** How errors name this entry: `http_port in file proxy.json`, `env COCOON_PROXY_HTTP_PORT`, `--http-port`. */
  subject: string;
}

export type ConfigShape = Readonly<Record<string, z.ZodType>>;

export function readFileEntries(shape: ConfigShape, path: string): ConfigEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw configError('file', `cannot read config file ${path} (${reason})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw configError('file', `config file ${path} is not valid JSON`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw configError('file', `config file ${path} must contain a JSON object`);
  }
  return Object.entries(parsed).map(([key, value]) => {
    if (!Object.hasOwn(shape, key)) throw configError(key, `unknown key '${key}' in file ${path}`);
    return { key, value, kind: 'file' as const, subject: `${key} in file ${path}` };
  });
}

export function readEnvEntries(shape: ConfigShape, env: Record<string, string | undefined>, envPrefix: string): ConfigEntry[] {
  const entries: ConfigEntry[] = [];
  for (const [name, text] of Object.entries(env)) {
    if (!name.startsWith(envPrefix) || text === undefined) continue;
    const key = name.slice(envPrefix.length).toLowerCase();
    const field = shape[key];
    if (!field || envNameForKey(key, envPrefix) !== name) throw configError(key, `unknown key '${key}' in env ${name}`);
    const subject = `env ${name}`;
    const coerced = coerceConfigValue(field, text);
    if (!coerced.ok) throw configError(key, `${subject}: expected ${coerced.expected}`);
    entries.push({ key, value: coerced.value, kind: 'env', subject });
  }
  return entries;
}

const BOOLEAN_WORDS = new Set(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']);

export function readFlagEntries(shape: ConfigShape, argv: readonly string[]): ConfigEntry[] {
  const entries: ConfigEntry[] = [];
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] ?? '';
    if (!arg.startsWith('--') || arg.length === 2) throw configError('argv', `unexpected argument '${arg}' (flags look like --http-port 11000)`);
    const equals = arg.indexOf('=');
    const name = equals === -1 ? arg.slice(2) : arg.slice(2, equals);
    let inline = equals === -1 ? undefined : arg.slice(equals + 1);
    let key = name.replaceAll('-', '_');
    const negatedKey = key.startsWith('no_') ? key.slice(3) : undefined;
    const negatedField = negatedKey === undefined ? undefined : shape[negatedKey];
    if (!shape[key] && negatedKey !== undefined && negatedField && isBooleanField(negatedField) && inline === undefined) {
      key = negatedKey;
      inline = 'false';
    }
    const field = shape[key];
    if (!field) throw configError(key, `unknown key '${key}' in flags (--${name})`);
    const subject = flagNameForKey(key);
    let text = inline;
    if (text === undefined) {
      const next = argv[index + 1];
      if (isBooleanField(field)) {
        if (next !== undefined && BOOLEAN_WORDS.has(next.toLowerCase())) {
          text = next;
          index++;
        } else text = 'true';
      } else {
        if (next === undefined || next.startsWith('--')) throw configError(key, `${subject}: missing value`);
        text = next;
        index++;
      }
    }
    const coerced = coerceConfigValue(field, text);
    if (!coerced.ok) throw configError(key, `${subject}: expected ${coerced.expected}`);
    entries.push({ key, value: coerced.value, kind: 'flag', subject });
  }
  return entries;
}
