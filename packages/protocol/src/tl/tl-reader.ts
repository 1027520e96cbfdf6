/**
 * Bounds-checked little-endian reader over one Buffer, with the TL primitives (int, long,
 * double, raw int128/int256, length-prefixed padded string/bytes). Byte fields are returned as
 * views into the input (no copy); every overrun throws CCN_ERR_PROTOCOL_DECODE. Portable: no
 * Node built-in is imported (browser bundles provide Buffer through the npm `buffer` package).
 */
import { CocoonError } from '../errors/error-table.ts';

/** Strings up to this length get a JS-side ASCII check before the native UTF-8 decode. */
const SHORT_STRING_BYTES = 64;

/**
 * Strict UTF-8: throws on any invalid sequence instead of substituting U+FFFD, and keeps a leading
 * byte order mark as U+FEFF (as Buffer#toString does) so the decoded string re-encodes to the same bytes.
 */
const strictUtf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** `bytes` as a string when they are valid UTF-8, else undefined. */
function strictUtf8OrUndefined(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8Decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

export class TlReader {
  readonly buffer: Buffer;
  offset: number;
  readonly end: number;

  constructor(buffer: Buffer, offset = 0, end = buffer.length) {
    this.buffer = buffer;
    this.offset = offset;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  /** Throws CCN_ERR_PROTOCOL_DECODE unless `count` more bytes are available. */
  need(count: number): void {
    if (this.offset + count > this.end) {
      throw new CocoonError('CCN_ERR_PROTOCOL_DECODE', `truncated TL data: need ${count} byte(s) at offset ${this.offset}, have ${this.end - this.offset}`);
    }
  }

  readInt32(): number {
    this.need(4);
    const value = this.buffer.readInt32LE(this.offset);
    this.offset += 4;
    return value;
  }

  readUint32(): number {
    this.need(4);
    const value = this.buffer.readUInt32LE(this.offset);
    this.offset += 4;
    return value;
  }

  readInt64(): bigint {
    this.need(8);
    const value = this.buffer.readBigInt64LE(this.offset);
    this.offset += 8;
    return value;
  }

  readDouble(): number {
    this.need(8);
    const value = this.buffer.readDoubleLE(this.offset);
    this.offset += 8;
    return value;
  }

  /** Raw fixed-size bytes (int128, int256), as a view. */
  readRaw(length: number): Buffer {
    this.need(length);
    const start = this.offset;
    this.offset += length;
    return this.buffer.subarray(start, start + length);
  }

  /**
   * Reads a TL `bytes`/`string` header (1-byte length < 254, or 0xfe + 3-byte length), skips the
   * body and its padding to 4, and returns the body's start offset (its length is `end - start`).
   */
  private readBytesBounds(): { start: number; end: number } {
    this.need(1);
    const first = this.buffer[this.offset] ?? 0;
    let length: number;
    let headerLength: number;
    if (first < 254) {
      length = first;
      headerLength = 1;
    } else if (first === 254) {
      this.need(4);
      length = this.buffer.readUIntLE(this.offset + 1, 3);
      headerLength = 4;
    } else {
      throw new CocoonError('CCN_ERR_PROTOCOL_DECODE', `invalid TL string length marker 0xff at offset ${this.offset}`);
    }
    const total = (headerLength + length + 3) & ~3;
    this.need(total);
    const start = this.offset + headerLength;
    this.offset += total;
    return { start, end: start + length };
  }

  /** TL `bytes`, as a view into the input. */
  readBytes(): Buffer {
    const { start, end } = this.readBytesBounds();
    return this.buffer.subarray(start, end);
  }

  /**
   * TL `string`: decoded as UTF-8. Bytes that are not valid UTF-8 are returned as a Buffer
   * instead, so that re-encoding reproduces them exactly (a lossy U+FFFD string would not).
   */
  readString(): string | Buffer {
    const { start, end } = this.readBytesBounds();
    if (start === end) return '';
    const buffer = this.buffer;
    if (end - start <= SHORT_STRING_BYTES) {
      // Short ASCII strings (headers, addresses, model names) skip the UTF-8 validation call.
      let index = start;
      while (index < end && (buffer[index] ?? 0) < 0x80) index += 1;
      if (index === end) return buffer.toString('latin1', start, end);
    }
    const bytes = buffer.subarray(start, end);
    return strictUtf8OrUndefined(bytes) ?? bytes;
  }
}
