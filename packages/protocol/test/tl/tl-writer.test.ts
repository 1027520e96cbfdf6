/**
 * TlWriter, the growable little-endian writer: primitives and their ranges, growth from a tiny
 * capacity, the bytes/string layouts (header, body, zero padding) matching what TlReader reads
 * for every length class, the 16 MiB limit of a TL length, and the reuse of its scratch buffer.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TlReader, TlWriter } from '../../src/tl/index.ts';

const written = (write: (writer: TlWriter) => void, capacity?: number): Buffer => {
  const writer = new TlWriter(capacity);
  write(writer);
  return writer.takeResult();
};

describe('primitives', () => {
  test('int, flags and double little-endian; long in both the signed and the unsigned range', () => {
    assert.equal(written((w) => w.writeInt32(-2)).toString('hex'), 'feffffff');
    assert.equal(written((w) => w.writeUint32(0x80000001)).toString('hex'), '01000080');
    assert.equal(written((w) => w.writeDouble(-0.5)).toString('hex'), '000000000000e0bf');
    assert.equal(written((w) => w.writeInt64(-1n)).toString('hex'), 'ffffffffffffffff');
    assert.equal(written((w) => w.writeInt64(2n ** 64n - 1n)).toString('hex'), 'ffffffffffffffff');
    assert.equal(written((w) => w.writeInt64(2n ** 63n)).toString('hex'), '0000000000000080');
    assert.equal(written((w) => w.writeInt64(2n ** 63n - 1n)).toString('hex'), 'ffffffffffffff7f');
  });

  test('values outside a primitive’s range are refused by the buffer, not wrapped', () => {
    assert.throws(() => written((w) => w.writeInt32(2 ** 31)), RangeError);
    assert.throws(() => written((w) => w.writeUint32(-1)), RangeError);
    assert.throws(() => written((w) => w.writeInt64(2n ** 64n)), RangeError);
  });

  test('grows from a 1-byte capacity without losing what was written', () => {
    const bytes = written((w) => {
      for (let index = 0; index < 1000; index += 1) w.writeInt32(index);
      w.writeRaw(Buffer.alloc(5000, 3));
    }, 1);
    assert.equal(bytes.length, 9000);
    const reader = new TlReader(bytes);
    for (let index = 0; index < 1000; index += 1) assert.equal(reader.readInt32(), index);
    assert.deepEqual(reader.readRaw(5000), Buffer.alloc(5000, 3));
  });
});

describe('bytes and strings', () => {
  test('bytes: every length class reads back, padded with zeros to a multiple of 4', () => {
    for (const length of [0, 1, 2, 3, 4, 5, 252, 253, 254, 255, 256, 0x1_0000, 0x1_0001]) {
      const body = Buffer.alloc(length, 0xa5);
      const bytes = written((w) => w.writeBytes(body));
      assert.equal(bytes.length % 4, 0, String(length));
      assert.equal(bytes[0], length < 254 ? length : 254, String(length));
      const header = length < 254 ? 1 : 4;
      assert.ok(bytes.subarray(header + length).every((byte) => byte === 0), `padding of ${length} is zeros`);
      assert.deepEqual(new TlReader(bytes).readBytes(), body);
    }
  });

  test('a string is written exactly as its UTF-8 bytes would be, on the short and the long path', () => {
    const texts = ['', 'a', 'abcd', 'x'.repeat(64), 'x'.repeat(65), 'é', 'aé✓😀', '✓'.repeat(64), '✓'.repeat(85), 'a'.repeat(63) + '✓', '😀'.repeat(40)];
    for (const text of texts) {
      assert.deepEqual(written((w) => w.writeString(text)), written((w) => w.writeBytes(Buffer.from(text, 'utf8'))), text.slice(0, 8));
      assert.equal(new TlReader(written((w) => w.writeString(text))).readString(), text);
    }
  });

  test('lone surrogates are written as U+FFFD like Buffer.from does', () => {
    assert.deepEqual(written((w) => w.writeString('a\ud800b')), written((w) => w.writeBytes(Buffer.from('a\ud800b', 'utf8'))));
  });

  test('a body longer than a TL length can say (2^24 − 1) is refused', () => {
    const writer = new TlWriter();
    assert.throws(() => writer.writeBytes(new Uint8Array(0x100_0000)), (error: Error) => (error as { code?: string }).code === 'CCN_ERR_PROTOCOL_DECODE' && /too long to encode: 16777216/.test(error.message));
    assert.equal(writer.offset, 0, 'nothing was written');
    writer.writeBytes(new Uint8Array(0xff_ffff));
    assert.equal(writer.offset, 4 + 0xff_ffff + 1);
  });
});

describe('results and reuse', () => {
  test('takeResult returns an exact copy (short and long) and starts the writer over', () => {
    const writer = new TlWriter();
    writer.writeInt32(7);
    const short = writer.takeResult();
    assert.equal(short.toString('hex'), '07000000');
    assert.equal(writer.offset, 0);
    writer.writeRaw(Buffer.alloc(40, 1));
    const long = writer.takeResult();
    writer.writeRaw(Buffer.alloc(40, 2));
    assert.deepEqual(long, Buffer.alloc(40, 1), 'a result does not share memory with the scratch buffer');
  });

  test('reset keeps a normal buffer but drops one grown past 1 MiB', () => {
    const writer = new TlWriter();
    writer.writeRaw(Buffer.alloc(100));
    writer.reset();
    assert.equal(writer.buffer.length, 4096);
    writer.writeRaw(Buffer.alloc(2 * 1024 * 1024));
    assert.ok(writer.buffer.length >= 2 * 1024 * 1024);
    writer.reset();
    assert.equal(writer.buffer.length, 4096);
    assert.equal(writer.offset, 0);
  });
});
