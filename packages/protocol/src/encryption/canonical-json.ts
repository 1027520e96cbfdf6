/**
 * JSON text as the reference writes it (`nlohmann::json::dump()`): object keys in bytewise UTF-8
 * order at every depth, no spaces, UTF-8 kept as is, numbers and string escapes as JSON.stringify
 * writes them (the same for everything an OpenAI body holds). The encryption walks the same order,
 * so with the same randomness our encrypted objects are byte-identical to the reference's.
 */

/** A JSON value as JSON.parse produces it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Maps UTF-16 code units so that comparing them orders strings by code point (= UTF-8 byte order). */
function codePointOrderUnit(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

/** Bytewise UTF-8 order of two strings, as std::map<std::string> keeps nlohmann's keys. */
export function compareUtf8(left: string, right: string): number {
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index++) {
    const a = left.charCodeAt(index);
    const b = right.charCodeAt(index);
    if (a !== b) return codePointOrderUnit(a) - codePointOrderUnit(b);
  }
  return left.length - right.length;
}

/** The keys of `object` in the reference's order. */
export function sortedKeys(object: object): string[] {
  return Object.keys(object).sort(compareUtf8);
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const parts: string[] = [];
  for (const key of sortedKeys(value)) {
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined) continue;
    parts.push(`${JSON.stringify(key)}:${canonicalJson(item)}`);
  }
  return `{${parts.join(',')}}`;
}
