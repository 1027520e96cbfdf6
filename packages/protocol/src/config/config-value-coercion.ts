/**
 * Turns the text of an env variable or a command-line flag into the JSON-like value a
 * config field schema expects: numbers, booleans, JSON for arrays/objects, strings as is.
 */
import type { z } from 'zod';

type InputKind = 'string' | 'number' | 'boolean' | 'json' | 'any';

const PASS_THROUGH = new Set(['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch', 'nonoptional']);

/** The raw input kinds a field schema accepts (unions contribute every option). */
export function configInputKinds(schema: z.ZodType): Set<InputKind> {
  const kinds = new Set<InputKind>();
  const visit = (node: z.ZodType): void => {
    const def = node._zod.def as { type: string; innerType?: z.ZodType; in?: z.ZodType; options?: z.ZodType[]; values?: unknown[] };
    if (PASS_THROUGH.has(def.type) && def.innerType) return visit(def.innerType);
    if (def.type === 'pipe' && def.in) return visit(def.in);
    if (def.type === 'union' && def.options) return def.options.forEach(visit);
    if (def.type === 'string' || def.type === 'enum' || def.type === 'template_literal') kinds.add('string');
    else if (def.type === 'number' || def.type === 'int' || def.type === 'bigint') kinds.add('number');
    else if (def.type === 'boolean') kinds.add('boolean');
    else if (def.type === 'array' || def.type === 'object' || def.type === 'record' || def.type === 'tuple') kinds.add('json');
    else if (def.type === 'literal' && def.values) {
      for (const value of def.values) kinds.add(typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : 'string');
    } else kinds.add('any');
  };
  visit(schema);
  return kinds;
}

/** Whether a field is a plain boolean switch (`--is-test` without a value means true). */
export function isBooleanField(schema: z.ZodType): boolean {
  const kinds = configInputKinds(schema);
  return kinds.size === 1 && kinds.has('boolean');
}

export type CoercionResult = { ok: true; value: unknown } | { ok: false; expected: string };

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

/** Coerces `text` for `schema`; fails with what was expected when no kind fits. */
export function coerceConfigValue(schema: z.ZodType, text: string): CoercionResult {
  const kinds = configInputKinds(schema);
  const trimmed = text.trim();
  if (kinds.has('json') && (trimmed.startsWith('[') || trimmed.startsWith('{'))) {
    try {
      return { ok: true, value: JSON.parse(trimmed) };
    } catch {
      return { ok: false, expected: 'valid JSON' };
    }
  }
  if (kinds.has('string') || kinds.has('any')) return { ok: true, value: text };
  if (kinds.has('number') && trimmed !== '' && Number.isFinite(Number(trimmed))) return { ok: true, value: Number(trimmed) };
  if (kinds.has('boolean')) {
    const word = trimmed.toLowerCase();
    if (TRUE_WORDS.has(word)) return { ok: true, value: true };
    if (FALSE_WORDS.has(word)) return { ok: true, value: false };
  }
  const expected = [...kinds].map((kind) => (kind === 'json' ? 'JSON' : kind === 'boolean' ? 'a boolean' : `a ${kind}`));
  return { ok: false, expected: expected.join(' or ') };
}
