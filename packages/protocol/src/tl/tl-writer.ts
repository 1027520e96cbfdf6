/**
 * Growable little-endian writer with the TL primitives. One scratch writer is reused across
 * encodes (encoding is synchronous), so steady-state encoding allocates only the result buffer.
 */
import { CocoonError } from '../errors/error-table.ts';

const INITIAL_CAPACITY = 4096;
/** A scratch buffer grown above this is dropped after use instead of being kept forever. */
const RETAINED_CAPACITY_LIMIT = 1 << 20;
const INT64_MAX = (1n << 63n) - 1n;
const TL_MAX_BYTES_LENGTH = 0xffffff;
/** Strings up to this many UTF-16 units (3 bytes each at most: < 254 bytes) take the fast path. */
const SHORT_STRING_CHARS = 64;

export class TlWriter {
  buffer: Buffer;
  offset = 0;

  constructor(capacity = INITIAL_CAPACITY) {
    this.buffer = Buffer.allocUnsafe(capacity);
  }

  /** Makes room for `count` more bytes. */
  ensure(count: number): void {
    const required = this.offset + count;
    if (required <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < required) capacity *= 2;
    const grown = Buffer.allocUnsafe(capacity);
    this.buffer.copy(grown, 0, 0, this.offset);
    this.buffer = grown;
  }

  writeInt32(value: number): void {
    this.ensure(4);
    this.buffer.writeInt32LE(value, this.offset);
    this.offset += 4;
  }

  writeUint32(value: number): void {
    this.ensure(4);
    this.buffer.writeUInt32LE(value, this.offset);
    this.offset += 4;
  }

  /** Writes the low 64 bits of `value` (accepts the signed and the unsigned range). */
  writeInt64(value: bigint): void {
    this.ensure(8);
    if (value > INT64_MAX) this.buffer.writeBigUInt64LE(value, this.offset);
    else this.buffer.writeBigInt64LE(value, this.offset);
    this.offset += 8;
  }

  writeDouble(value: number): void {
    this.ensure(8);
    this.buffer.writeDoubleLE(value, this.offset);
    this.offset += 8;
  }

  writeRaw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buffer.set(bytes, this.offset);
    this.offset += bytes.length;
  }

  private writeLengthHeader(length: number): number {
    if (length > TL_MAX_BYTES_LENGTH) {
      throw new CocoonError('CCN_ERR_PROTOCOL_DECODE', `TL bytes too long to encode: ${length} bytes`);
    }
    const headerLength = length < 254 ? 1 : 4;
    this.ensure(headerLength + length + 3);
    if (headerLength === 1) {
      this.buffer[this.offset] = length;
    } else {
      this.buffer[this.offset] = 254;
      this.buffer.writeUIntLE(length, this.offset + 1, 3);
    }
    this.offset += headerLength;
    return headerLength;
  }

  private writePadding(headerLength: number, length: number): void {
    const padding = (4 - ((headerLength + length) & 3)) & 3;
    for (let index = 0; index < padding; index += 1) this.buffer[this.offset + index] = 0;
    this.offset += padding;
  }

  /** TL `bytes`: length header, data, zero padding to a multiple of 4. */
  writeBytes(bytes: Uint8Array): void {
    const headerLength = this.writeLengthHeader(bytes.length);
    this.buffer.set(bytes, this.offset);
    this.offset += bytes.length;
    this.writePadding(headerLength, bytes.length);
  }

  /** TL `string` (UTF-8). */
  writeString(text: string): void {
    const count = text.length;
    if (count <= SHORT_STRING_CHARS) {
      // Short string: 1-byte header (at most 3 UTF-8 bytes per UTF-16 unit); ASCII copied in JS.
      this.ensure(1 + count * 3 + 3);
      const buffer = this.buffer;
      const start = this.offset + 1;
      let index = 0;
      while (index < count) {
        const code = text.charCodeAt(index);
        if (code >= 0x80) break;
        buffer[start + index] = code;
        index += 1;
      }
      const written = index === count ? count : index + buffer.write(text.slice(index), start + index, 'utf8');
      buffer[this.offset] = written;
      this.offset = start + written;
      this.writePadding(1, written);
      return;
    }
    const length = Buffer.byteLength(text, 'utf8');
    const headerLength = this.writeLengthHeader(length);
    this.buffer.write(text, this.offset, length, 'utf8');
    this.offset += length;
    this.writePadding(headerLength, length);
  }

  /** Copies the written bytes out into an exactly sized Buffer and resets the writer. */
  takeResult(): Buffer {
    const length = this.offset;
    const result = Buffer.allocUnsafe(length);
    const source = this.buffer;
    if (length <= 32) {
      for (let index = 0; index < length; index += 1) result[index] = source[index] ?? 0;
    } else {
      result.set(new Uint8Array(source.buffer, source.byteOffset, length));
    }
    this.reset();
    return result;
  }

  reset(): void {
    this.offset = 0;
    if (this.buffer.length > RETAINED_CAPACITY_LIMIT) this.buffer = Buffer.allocUnsafe(INITIAL_CAPACITY);
  }
}
