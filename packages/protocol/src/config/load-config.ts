/**
 * The strict runner config loader: defaults ← JSON file ← env ← flags, validated by a
 * zod strict object schema. Every error names the key and the source; secrets are
 * never echoed; security-sensitive keys set in the file cannot be weakened at runtime.
 */
import { z } from 'zod';
import { getConfigFieldMeta } from './config-field-registry.ts';
import { configError, envNameForKey, flagNameForKey } from './config-error.ts';
import { readEnvEntries, readFileEntries, readFlagEntries, type ConfigEntry, type ConfigShape } from './config-sources.ts';

export interface ConfigSources {
  /** Path of a JSON config file with snake_case keys. */
  file?: string;
  env: Record<string, string | undefined>;
  /** e.g. `COCOON_PROXY_`: `COCOON_PROXY_HTTP_PORT` sets `http_port`. */
  envPrefix: string;
  /** Flags only, e.g. `['--http-port', '11000', '--is-test']`. */
  argv: string[];
}

/** The shape of a (possibly refined or piped) zod object schema. */
export function configSchemaShape(schema: z.ZodType): ConfigShape {
  let current: z.ZodType = schema;
  while (!(current instanceof z.ZodObject)) {
    const def = current._zod.def as { type: string; in?: z.ZodType };
    if (def.type !== 'pipe' || !def.in) throw configError('schema', 'config schema must be a zod object');
    current = def.in;
  }
  return current.shape as ConfigShape;
}

const formatPath = (path: readonly PropertyKey[]): string =>
  path.map((part, index) => (typeof part === 'number' ? `[${part}]` : index === 0 ? String(part) : `.${String(part)}`)).join('');

/** `tags in file x.json` + `[0]` → `tags[0] in file x.json`; `--tags` + `[0]` → `--tags (tags[0])`. */
function subjectWithPath(entry: ConfigEntry, path: readonly PropertyKey[]): string {
  if (path.length === 0) return entry.subject;
  const keyPath = formatPath([entry.key, ...path]);
  return entry.subject.startsWith(`${entry.key} in `) ? keyPath + entry.subject.slice(entry.key.length) : `${entry.subject} (${keyPath})`;
}

/** Validates one entry against its field schema and returns the parsed value. */
function parseEntry(shape: ConfigShape, entry: ConfigEntry): unknown {
  const field = shape[entry.key] as z.ZodType;
  const result = field.safeParse(entry.value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw configError(entry.key, `${subjectWithPath(entry, issue?.path ?? [])}: ${issue?.message ?? 'invalid value'}`);
}

function describeSecurityValue(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : String(value);
}

/** Entries of the list `runtime` that the list `file` lacks (compared as JSON). */
function listEntriesNotIn(runtime: unknown, file: unknown): unknown[] {
  const allowed = new Set((Array.isArray(file) ? file : []).map((entry) => JSON.stringify(entry)));
  return (Array.isArray(runtime) ? runtime : []).filter((entry) => !allowed.has(JSON.stringify(entry)));
}

/** Loads, layers and validates a runner config. Throws CocoonError('CCN_ERR_CONFIG_INVALID'). */
export function loadConfig<T>(schema: z.ZodType<T>, sources: ConfigSources): T {
  const shape = configSchemaShape(schema);
  const layers: ConfigEntry[][] = [
    sources.file === undefined ? [] : readFileEntries(shape, sources.file),
    readEnvEntries(shape, sources.env, sources.envPrefix),
    readFlagEntries(shape, sources.argv),
  ];
  const merged: Record<string, unknown> = {};
  const finalEntry = new Map<string, { entry: ConfigEntry; parsed: unknown }>();
  const fileEntry = new Map<string, { entry: ConfigEntry; parsed: unknown }>();
  for (const layer of layers) {
    for (const entry of layer) {
      const parsed = parseEntry(shape, entry);
      merged[entry.key] = entry.value;
      finalEntry.set(entry.key, { entry, parsed });
      if (entry.kind === 'file') fileEntry.set(entry.key, { entry, parsed });
    }
  }
  for (const [key, fromFile] of fileEntry) {
    const { securityOrder: order, securitySubset } = getConfigFieldMeta(shape[key] as z.ZodType);
    const last = finalEntry.get(key);
    if (!last || last.entry.kind === 'file') continue;
    if (securitySubset) {
      const added = listEntriesNotIn(last.parsed, fromFile.parsed);
      if (added.length > 0) {
        throw configError(key, `${last.entry.subject} may not add ${added.map(describeSecurityValue).join(', ')} to security-sensitive list '${key}' set in ${fromFile.entry.subject.replace(`${key} in `, '')} (it may only narrow it)`);
      }
      continue;
    }
    if (!order) continue;
    if (order.indexOf(last.parsed) < order.indexOf(fromFile.parsed)) {
      throw configError(
        key,
        `${last.entry.subject} may not weaken security-sensitive key '${key}' below ${describeSecurityValue(fromFile.parsed)} set in ${fromFile.entry.subject.replace(`${key} in `, '')}`,
      );
    }
  }
  const result = schema.safeParse(merged);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const key = issue?.path[0];
  if (!issue || typeof key !== 'string') throw configError('config', issue?.message ?? 'invalid configuration');
  if (merged[key] === undefined && issue.code === 'invalid_type') {
    throw configError(key, `missing required key '${key}' (set it in the file, env ${envNameForKey(key, sources.envPrefix)} or ${flagNameForKey(key)})`);
  }
  const entry = finalEntry.get(key)?.entry;
  const subject = entry ? subjectWithPath(entry, issue.path.slice(1)) : `${formatPath(issue.path)} (default)`;
  throw configError(key, `${subject}: ${issue.message}`);
}
