/**
 * Narrowing of TL objects that arrive untyped (session 'message'/'query' events and query answers
 * are plain TlObject) to the types generated from the schema: `isTlObject` is a type guard on the
 * constructor name, `expectTlObject` the same that throws CCN_ERR_PROTOCOL_VIOLATION otherwise.
 * Only `_` is checked: the fields are trusted to match because the codec decoded them (decodeBoxed
 * checks every field against the schema); do not use these to validate hand-built objects.
 */
import { CocoonError } from '../errors/error-table.ts';
import type { TlObjectMap, TlObjectName } from './generated/cocoon-api-types.ts';

function constructorNameOfValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) return undefined;
  return '_' in value ? value._ : undefined;
}

/** True when `value` is a TL object whose constructor (or function) is one of `names`. */
export function isTlObject<K extends TlObjectName>(value: unknown, ...names: [K, ...K[]]): value is TlObjectMap[K] {
  const name = constructorNameOfValue(value);
  return typeof name === 'string' && names.some((candidate) => candidate === name);
}

/**
 * `value` typed as one of `names`, else CCN_ERR_PROTOCOL_VIOLATION "expected A or B, got C"
 * (the peer answered or sent something the protocol does not allow here).
 */
export function expectTlObject<K extends TlObjectName>(value: unknown, ...names: [K, ...K[]]): TlObjectMap[K] {
  if (isTlObject(value, ...names)) return value;
  const name = constructorNameOfValue(value);
  const found = typeof name === 'string' ? name : 'no TL object';
  throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', `expected ${names.join(' or ')}, got ${found}`, { param: found });
}
