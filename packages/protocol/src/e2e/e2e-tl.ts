/**
 * The TL side of the end-to-end encryption: boxed and bare encodings of the ext.e2e* objects with the
 * package's TL codec (bare = the boxed encoding without its 4-byte constructor ID: the body alone),
 * and decoding of wire bytes given as Uint8Array. The codec works on Buffers; this is the one e2e file
 * that touches the Buffer type (a browser bundle supplies the `buffer` polyfill the codec needs).
 */
import { CocoonError } from '../errors/error-table.ts';
import type { CocoonErrorCode } from '../errors/error-table.ts';
import { decodeBoxedAs, encodeBoxed } from '../tl/tl-codec.ts';
import type { TlObjectMap, TlObjectName } from '../tl/generated/cocoon-api-types.ts';

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A Uint8Array view of a codec result (no copy). */
function view(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** Boxed TL bytes of a value (constructor ID + body). */
export function encodeE2eBoxed<K extends TlObjectName>(value: TlObjectMap[K]): Uint8Array {
  return view(encodeBoxed<K>(value));
}

/** Bare TL bytes of a constructor value (its body, without the constructor ID): what signatures cover. */
export function encodeE2eBare<K extends TlObjectName>(value: TlObjectMap[K]): Uint8Array {
  return encodeE2eBoxed<K>(value).subarray(4);
}

/**
 * Decodes boxed bytes of one of `expected`; any failure (short, unknown or unexpected constructor,
 * malformed, trailing bytes) becomes `code` with the codec's message, the codec error as cause.
 */
export function decodeE2eBoxed<K extends TlObjectName>(bytes: Uint8Array, code: CocoonErrorCode, what: string, ...expected: [K, ...K[]]): TlObjectMap[K] {
  try {
    return decodeBoxedAs<K>(asBuffer(bytes), ...expected);
  } catch (error) {
    throw new CocoonError(code, `${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** A Buffer view of bytes for a TL object field (the generated types name bytes/int256 fields Buffer). */
export function tlBytes(bytes: Uint8Array): Buffer {
  return asBuffer(bytes);
}

/** The unsigned 32-bit constructor ID at the start of `bytes`, or undefined when shorter than 4 bytes. */
export function leadingConstructorId(bytes: Uint8Array): number | undefined {
  if (bytes.length < 4) return undefined;
  return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
}
