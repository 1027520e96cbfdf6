/**
 * Compiles one field type (built-in, bare constructor, boxed abstract type, vector) into a
 * read closure and a write closure, resolved once at schema load so that encoding and decoding
 * do no schema lookups beyond the constructor-ID map needed for boxed (polymorphic) values.
 */
import { CocoonError } from '../errors/error-table.ts';
import type { TlReader } from './tl-reader.ts';
import type { TlWriter } from './tl-writer.ts';
import type { TlCombinator, TlObject, TlTypeReference, TlValue } from './tl-types.ts';
import {
  checkArray, checkBoolean, checkBytes, checkDouble, checkFixedBytes, checkInt32, checkInt64, checkObject, checkUint32, encodeError,
} from './tl-value-checks.ts';

export const BOOL_TRUE_ID = 0x997275b5;
export const BOOL_FALSE_ID = 0xbc799737;
export const VECTOR_ID = 0x1cb5c415;

export type ValueReader = (reader: TlReader) => TlValue;
export type ValueWriter = (writer: TlWriter, value: unknown) => void;

/** A schema combinator with its compiled body codec (everything after the constructor ID). */
export interface CompiledCombinator {
  readonly combinator: TlCombinator;
  readBody: (reader: TlReader) => TlObject;
  writeBody: (writer: TlWriter, value: TlObject) => void;
}

export interface CombinatorRegistry {
  readonly byName: ReadonlyMap<string, CompiledCombinator>;
  readonly byId: ReadonlyMap<number, CompiledCombinator>;
}

export interface TypeCodec {
  read: ValueReader;
  write: ValueWriter;
}

export function unknownConstructorError(id: number, expected: string): CocoonError {
  const hex = id.toString(16).padStart(8, '0');
  return new CocoonError('CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR', `unknown TL constructor #${hex} (expected ${expected})`, { param: hex });
}

function builtinCodec(name: string, path: string): TypeCodec {
  switch (name) {
    case 'int': return { read: (r) => r.readInt32(), write: (w, v) => w.writeInt32(checkInt32(v, path)) };
    case 'long': return { read: (r) => r.readInt64(), write: (w, v) => w.writeInt64(checkInt64(v, path)) };
    case 'double': return { read: (r) => r.readDouble(), write: (w, v) => w.writeDouble(checkDouble(v, path)) };
    case 'int128': return { read: (r) => r.readRaw(16), write: (w, v) => w.writeRaw(checkFixedBytes(v, 16, path)) };
    case 'int256': return { read: (r) => r.readRaw(32), write: (w, v) => w.writeRaw(checkFixedBytes(v, 32, path)) };
    case 'bytes': return { read: (r) => r.readBytes(), write: (w, v) => w.writeBytes(checkBytes(v, path)) };
    case 'string':
      return {
        read: (r) => r.readString(),
        write: (w, v) => {
          if (typeof v === 'string') w.writeString(v);
          else if (v instanceof Uint8Array) w.writeBytes(v);
          else throw encodeError(path, 'string', v);
        },
      };
    case 'Bool':
      return {
        read: (r) => {
          const id = r.readUint32();
          if (id === BOOL_TRUE_ID) return true;
          if (id === BOOL_FALSE_ID) return false;
          throw new CocoonError('CCN_ERR_PROTOCOL_DECODE', `invalid Bool constructor #${id.toString(16).padStart(8, '0')} in ${path}`, { param: path });
        },
        write: (w, v) => w.writeUint32(checkBoolean(v, path) ? BOOL_TRUE_ID : BOOL_FALSE_ID),
      };
    case 'true': return { read: () => true, write: () => undefined };
    default: throw new CocoonError('CCN_ERR_INTERNAL', `TL schema: unsupported built-in type ${name}`);
  }
}

function bareCodec(constructorName: string, path: string, registry: CombinatorRegistry): TypeCodec {
  const target = registry.byName.get(constructorName);
  if (!target || target.combinator.isFunction || target.combinator.isGeneric) {
    throw new CocoonError('CCN_ERR_INTERNAL', `TL schema: ${path} refers to unknown constructor ${constructorName}`);
  }
  return {
    read: (r) => target.readBody(r),
    write: (w, v) => {
      const object = checkObject(v, path);
      if (object._ !== undefined && object._ !== constructorName) throw encodeError(path, `bare ${constructorName}`, object._);
      target.writeBody(w, object);
    },
  };
}

function boxedCodec(typeName: string, path: string, registry: CombinatorRegistry): TypeCodec {
  const members = [...registry.byName.values()].filter((entry) => entry.combinator.resultType === typeName && !entry.combinator.isFunction);
  if (members.length === 0) throw new CocoonError('CCN_ERR_INTERNAL', `TL schema: ${path} refers to unknown type ${typeName}`);
  return {
    read: (r) => {
      const id = r.readUint32();
      const entry = registry.byId.get(id);
      if (!entry || entry.combinator.resultType !== typeName || entry.combinator.isFunction) throw unknownConstructorError(id, typeName);
      return entry.readBody(r);
    },
    write: (w, v) => {
      const object = checkObject(v, path);
      const entry = registry.byName.get(object._);
      if (!entry || entry.combinator.resultType !== typeName || entry.combinator.isFunction) {
        throw new CocoonError('CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR', `cannot encode ${path}: ${String(object._)} is not a constructor of ${typeName}`, { param: path });
      }
      w.writeUint32(entry.combinator.id);
      entry.writeBody(w, object);
    },
  };
}

function vectorCodec(boxed: boolean, item: TypeCodec, path: string): TypeCodec {
  return {
    read: (r) => {
      if (boxed) {
        const id = r.readUint32();
        if (id !== VECTOR_ID) throw unknownConstructorError(id, 'vector');
      }
      const count = r.readInt32();
      if (count < 0 || count > r.remaining) {
        throw new CocoonError('CCN_ERR_PROTOCOL_DECODE', `invalid vector length ${count} in ${path}`, { param: path });
      }
      const items: TlValue[] = new Array<TlValue>(count);
      for (let index = 0; index < count; index += 1) items[index] = item.read(r);
      return items;
    },
    write: (w, v) => {
      const items = checkArray(v, path);
      if (boxed) w.writeUint32(VECTOR_ID);
      w.writeInt32(items.length);
      for (const element of items) item.write(w, element);
    },
  };
}

/** Compiles a field type; `path` (e.g. `http.request.headers`) names the field in errors. */
export function compileTypeCodec(type: TlTypeReference, path: string, registry: CombinatorRegistry): TypeCodec {
  switch (type.kind) {
    case 'builtin': return builtinCodec(type.name, path);
    case 'flags': return { read: (r) => r.readUint32(), write: (w, v) => w.writeUint32(checkUint32(v, path)) };
    case 'bare': return bareCodec(type.constructorName, path, registry);
    case 'boxed': return boxedCodec(type.typeName, path, registry);
    case 'vector': return vectorCodec(type.boxed, compileTypeCodec(type.item, `${path}[]`, registry), path);
  }
}
