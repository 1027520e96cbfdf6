/**
 * The COCOON TL codec: compiles schema/cocoon-api.tl at module load and encodes / decodes boxed
 * objects (constructor ID + body). The schema text comes from the generated module
 * generated/cocoon-api-schema.ts (no file read, so the codec also runs in browser bundles, where
 * the npm `buffer` package provides the global Buffer). Decoded bytes/int256 fields are views into
 * the input buffer (no copy): copy them if the input buffer is going to be reused. decodeBoxedAs
 * and the typed encodeBoxed overload use the types generated from the schema (generated/).
 */
import { CocoonError } from '../errors/error-table.ts';
import { parseTlSchema } from './tl-schema-parser.ts';
import { compileTlSchema } from './tl-schema-compiler.ts';
import { TlReader } from './tl-reader.ts';
import { TlWriter } from './tl-writer.ts';
import { unknownConstructorError } from './tl-type-codecs.ts';
import type { CompiledCombinator } from './tl-type-codecs.ts';
import type { TlCombinator, TlObject, TlSchema } from './tl-types.ts';
import type { TlObjectMap, TlObjectName } from './generated/cocoon-api-types.ts';
import { checkObject } from './tl-value-checks.ts';
import { COCOON_SCHEMA_TEXT } from './generated/cocoon-api-schema.ts';

/** The schema text shipped with the package (schema/cocoon-api.tl). */
export { COCOON_SCHEMA_TEXT };
/** The parsed schema (every constructor and function with its ID and fields). */
export const cocoonSchema: TlSchema = parseTlSchema(COCOON_SCHEMA_TEXT);
const registry = compileTlSchema(cocoonSchema);
const scratchWriter = new TlWriter();

function entryForEncode(value: TlObject): CompiledCombinator {
  const object = checkObject(value, 'value');
  const entry = typeof object._ === 'string' ? registry.byName.get(object._) : undefined;
  if (!entry || entry.combinator.isGeneric) {
    throw new CocoonError('CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR', `cannot encode unknown TL constructor ${String(object._)}`, { param: String(object._) });
  }
  return entry;
}

/** Writes `value` (ID + body) into `writer`; for callers that assemble a larger buffer. */
export function writeBoxed(writer: TlWriter, value: TlObject): void {
  const entry = entryForEncode(value);
  writer.writeUint32(entry.combinator.id);
  entry.writeBody(writer, value);
}

/**
 * Serializes a boxed TL object (constructor or function call). Given the name as type argument
 * (`encodeBoxed<'tcp.pong'>({ _: 'tcp.pong', id })`) the value is checked at compile time against
 * the type generated from the schema; without one any TlObject is accepted and checked at run time.
 */
export function encodeBoxed<K extends TlObjectName>(value: TlObjectMap[K]): Buffer;
export function encodeBoxed(value: TlObject): Buffer;
export function encodeBoxed(value: TlObject): Buffer {
  scratchWriter.reset();
  try {
    writeBoxed(scratchWriter, value);
    return scratchWriter.takeResult();
  } finally {
    scratchWriter.reset();
  }
}

/**
 * Serializes `value` after `headerBytes` bytes of room at the start of the result, which the
 * caller fills in (used by the framing layer to avoid one copy of the payload).
 */
export function encodeBoxedWithHeaderRoom(value: TlObject, headerBytes: number): Buffer {
  scratchWriter.reset();
  try {
    scratchWriter.ensure(headerBytes);
    scratchWriter.offset = headerBytes;
    writeBoxed(scratchWriter, value);
    return scratchWriter.takeResult();
  } finally {
    scratchWriter.reset();
  }
}

/** Reads one boxed object from `reader` (for callers that walk a larger buffer). */
export function readBoxed(reader: TlReader): TlObject {
  const id = reader.readUint32();
  const entry = registry.byId.get(id);
  if (!entry || entry.combinator.isGeneric) throw unknownConstructorError(id, 'a known constructor');
  return entry.readBody(reader);
}

/** Decodes a whole buffer holding exactly one boxed object. */
export function decodeBoxed(data: Buffer): TlObject {
  const reader = new TlReader(data);
  const value = readBoxed(reader);
  if (reader.remaining !== 0) {
    throw new CocoonError('CCN_ERR_PROTOCOL_DECODE', `${reader.remaining} trailing byte(s) after ${value._}`, { param: value._ });
  }
  return value;
}

/**
 * Decodes a whole buffer holding one boxed object whose constructor (or function) is one of
 * `expected`, typed by the generated schema types. Checked before the body is decoded: an ID the
 * schema does not know is CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR, a known name that is not expected
 * here CCN_ERR_PROTOCOL_VIOLATION; malformed or trailing bytes stay CCN_ERR_PROTOCOL_DECODE.
 */
export function decodeBoxedAs<K extends TlObjectName>(data: Buffer, ...expected: [K, ...K[]]): TlObjectMap[K] {
  const wanted = expected.join(' or ');
  if (data.length < 4) {
    throw new CocoonError('CCN_ERR_PROTOCOL_DECODE', `expected ${wanted}, got ${data.length} byte(s)`, { param: wanted });
  }
  const id = data.readUInt32LE(0);
  const entry = registry.byId.get(id);
  if (!entry || entry.combinator.isGeneric) throw unknownConstructorError(id, wanted);
  const name = entry.combinator.name;
  if (!(expected as readonly string[]).includes(name)) {
    throw new CocoonError('CCN_ERR_PROTOCOL_VIOLATION', `expected ${wanted}, got ${name}`, { param: name });
  }
  return decodeBoxed(data) as TlObjectMap[K];
}

/** Constructor ID (unsigned 32-bit) of a schema name; throws for unknown names. */
export function constructorId(name: string): number {
  const entry = registry.byName.get(name);
  if (!entry) throw new CocoonError('CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR', `unknown TL constructor ${name}`, { param: name });
  return entry.combinator.id;
}

/** Name of the constructor whose ID starts `data`, or undefined (too short or unknown). */
export function constructorNameOf(data: Buffer): string | undefined {
  if (data.length < 4) return undefined;
  return registry.byId.get(data.readUInt32LE(0))?.combinator.name;
}

/** Decodes and checks that the constructor is one of `names` (else CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR). */
export function expectBoxed<T extends TlObject>(data: Buffer, ...names: string[]): T {
  const name = constructorNameOf(data);
  if (name === undefined || !names.includes(name)) {
    const found = name ?? (data.length >= 4 ? `#${data.readUInt32LE(0).toString(16).padStart(8, '0')}` : 'nothing');
    throw new CocoonError('CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR', `expected ${names.join(' or ')}, got ${found}`, { param: found });
  }
  return decodeBoxed(data) as T;
}

/** The schema declaration of a name, or undefined. */
export function findCombinator(name: string): TlCombinator | undefined {
  return registry.byName.get(name)?.combinator;
}
