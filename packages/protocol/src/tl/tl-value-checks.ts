/**
 * Encode-side checks of JS values against TL field types: each returns the value in the form the
 * writer needs or throws CCN_ERR_PROTOCOL_DECODE naming the offending field path.
 */
import { CocoonError } from '../errors/error-table.ts';
import type { TlObject } from './tl-types.ts';

const INT64_MIN = -(1n << 63n);
const UINT64_MAX = (1n << 64n) - 1n;

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Buffer.isBuffer(value)) return `Buffer(${value.length})`;
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'bigint') return `bigint ${value}`;
  if (typeof value === 'number') return `number ${value}`;
  return typeof value;
}

export function encodeError(path: string, expected: string, value: unknown): CocoonError {
  return new CocoonError('CCN_ERR_PROTOCOL_DECODE', `cannot encode ${path}: expected ${expected}, got ${describe(value)}`, { param: path });
}

export function checkInt32(value: unknown, path: string): number {
  if (typeof value === 'number' && (value | 0) === value) return value;
  throw encodeError(path, 'int (signed 32-bit integer)', value);
}

export function checkUint32(value: unknown, path: string): number {
  if (typeof value === 'number' && value >>> 0 === value) return value;
  throw encodeError(path, 'flags (unsigned 32-bit integer)', value);
}

/** long: a bigint (signed or unsigned 64-bit range) or a safe-integer number. */
export function checkInt64(value: unknown, path: string): bigint {
  if (typeof value === 'bigint' && value >= INT64_MIN && value <= UINT64_MAX) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  throw encodeError(path, 'long (64-bit bigint)', value);
}

export function checkDouble(value: unknown, path: string): number {
  if (typeof value === 'number') return value;
  throw encodeError(path, 'double (number)', value);
}

export function checkFixedBytes(value: unknown, length: number, path: string): Uint8Array {
  if (value instanceof Uint8Array && value.length === length) return value;
  throw encodeError(path, `${length * 8}-bit value (Buffer of ${length} bytes)`, value);
}

export function checkBytes(value: unknown, path: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  throw encodeError(path, 'bytes (Buffer)', value);
}

export function checkBoolean(value: unknown, path: string): boolean {
  if (typeof value === 'boolean') return value;
  throw encodeError(path, 'Bool (boolean)', value);
}

export function checkArray(value: unknown, path: string): unknown[] {
  if (Array.isArray(value)) return value;
  throw encodeError(path, 'vector (array)', value);
}

export function checkObject(value: unknown, path: string): TlObject {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)) return value as TlObject;
  throw encodeError(path, 'TL object', value);
}
