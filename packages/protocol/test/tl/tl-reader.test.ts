/**
 * TlReader, the bounds-checked little-endian reader: primitives, a window (offset..end) inside a
 * larger buffer that it never reads past, the two length-header forms of bytes/string with their
 * padding, views instead of copies, and strings that are not UTF-8 (strictly: no overlong forms, no
 * surrogates, nothing past U+10FFFF) kept as exact bytes, a leading byte order mark kept in the string.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TlReader } from '../../src/tl/index.ts';

const hex = (text: string): Buffer => Buffer.from(text.replaceAll(' ', ''), 'hex');
const decodeError = (error: unknown): boolean => (error as { code?: string }).code === 'CCN_ERR_PROTOCOL_DECODE';

describe('primitives', () => {
  test('int, flags, long and double are little-endian; int and long are signed', () => {
    const reader = new TlReader(hex('ffffffff ffffffff feffffffffffffff 0000000000000080 000000000000f03f'));
    assert.equal(reader.readInt32(), -1);
    assert.equal(reader.readUint32(), 0xffffffff);
    assert.equal(reader.readInt64(), -2n);
    assert.equal(reader.readInt64(), -(2n ** 63n));
    assert.equal(reader.readDouble(), 1);
    assert.equal(reader.remaining, 0);
  });

  test('a short read says how much was needed and where', () => {
    const reader = new TlReader(hex('01020304 0506'));
    reader.readInt32();
    assert.throws(() => reader.readInt32(), (error: Error) => decodeError(error) && error.message === 'truncated TL data: need 4 byte(s) at offset 4, have 2');
    assert.equal(reader.offset, 4, 'a failed read consumes nothing');
    assert.throws(() => reader.readInt64(), decodeError);
    assert.throws(() => reader.readDouble(), decodeError);
  });

  test('raw int256 is a view into the input, not a copy', () => {
    const input = Buffer.alloc(32, 7);
    const raw = new TlReader(input).readRaw(32);
    input[0] = 9;
    assert.equal(raw[0], 9);
    assert.throws(() => new TlReader(Buffer.alloc(31)).readRaw(32), decodeError);
  });
});

describe('a window inside a larger buffer', () => {
  test('reads start at the offset and stop at end, even with bytes after it', () => {
    const buffer = hex('aaaaaaaa 01000000 02000000 bbbbbbbb');
    const reader = new TlReader(buffer, 4, 12);
    assert.equal(reader.remaining, 8);
    assert.equal(reader.readInt32(), 1);
    assert.equal(reader.readInt32(), 2);
    assert.throws(() => reader.readInt32(), decodeError, 'the bytes after end are not ours');
  });

  test('a bytes field whose body would cross the end is truncated data', () => {
    const buffer = hex('05 6162636465 0000 ffffffff');
    assert.throws(() => new TlReader(buffer, 0, 6).readBytes(), decodeError);
    assert.deepEqual(new TlReader(buffer, 0, 8).readBytes(), Buffer.from('abcde'));
  });
});

describe('bytes and strings', () => {
  test('one-byte header: body, then padding to 4 consumed', () => {
    const reader = new TlReader(hex('03 616263 00 000000'));
    assert.deepEqual(reader.readBytes(), Buffer.from('abc'));
    assert.equal(reader.offset, 4);
    const empty = new TlReader(hex('00000000'));
    assert.equal(empty.readBytes().length, 0);
    assert.equal(empty.offset, 4);
  });

  test('0xfe header: a 3-byte little-endian length, padding counted from the header', () => {
    const body = Buffer.alloc(0x1_0001, 0x5a);
    const input = Buffer.concat([hex('fe010001'), body, Buffer.alloc(3)]);
    const reader = new TlReader(input);
    assert.deepEqual(reader.readBytes(), body);
    assert.equal(reader.offset, input.length);
    assert.throws(() => new TlReader(hex('fe0100')).readBytes(), decodeError, 'a long header cut short');
    assert.throws(() => new TlReader(input.subarray(0, input.length - 1)).readBytes(), decodeError, 'missing padding');
  });

  test('the 0xff marker is refused where it stands', () => {
    assert.throws(() => new TlReader(hex('00000000 ff000000'), 4).readBytes(), (error: Error) => decodeError(error) && /0xff at offset 4/.test(error.message));
  });

  test('bytes are views into the input', () => {
    const input = hex('02 6869 00');
    const bytes = new TlReader(input).readBytes();
    input[1] = 0x48;
    assert.equal(bytes.toString(), 'Hi');
  });

  test('strings: ASCII, UTF-8 short and long, and the empty string', () => {
    const cases = ['', 'model', 'naïve ✓', 'x'.repeat(64), 'é'.repeat(40), '✓'.repeat(100)];
    for (const text of cases) {
      const body = Buffer.from(text, 'utf8');
      const header = body.length < 254 ? Buffer.from([body.length]) : Buffer.from([254, body.length & 0xff, (body.length >> 8) & 0xff, body.length >> 16]);
      const padding = Buffer.alloc((4 - ((header.length + body.length) % 4)) % 4);
      assert.equal(new TlReader(Buffer.concat([header, body, padding])).readString(), text, text.slice(0, 10));
    }
  });

  test('bytes that are not UTF-8 come back as the exact bytes, short or long', () => {
    for (const body of [hex('c3'), hex('41ff42'), Buffer.concat([Buffer.alloc(100, 0x41), hex('e282')])]) {
      const input = Buffer.concat([Buffer.from([body.length]), body, Buffer.alloc((4 - ((1 + body.length) % 4)) % 4)]);
      const value = new TlReader(input).readString();
      assert.ok(Buffer.isBuffer(value));
      assert.deepEqual(value, body);
    }
  });

  test('overlong forms, encoded surrogates and code points past U+10FFFF are not UTF-8', () => {
    // Each is refused by a strict decoder (and by node:buffer isUtf8); a lenient one would return U+FFFD or a lone surrogate.
    for (const body of [hex('c0af'), hex('e080af'), hex('eda080'), hex('f4908080'), hex('f8888080 80')]) {
      const input = Buffer.concat([Buffer.from([body.length]), body, Buffer.alloc((4 - ((1 + body.length) % 4)) % 4)]);
      assert.deepEqual(new TlReader(input).readString(), body, body.toString('hex'));
    }
  });

  test('a leading byte order mark stays in the string, so the string re-encodes to the same bytes', () => {
    for (const text of ['\ufeffmodel', `\ufeff${'✓'.repeat(30)}`]) {
      const body = Buffer.from(text, 'utf8');
      const input = Buffer.concat([Buffer.from([body.length]), body, Buffer.alloc((4 - ((1 + body.length) % 4)) % 4)]);
      assert.equal(new TlReader(input).readString(), text);
    }
  });
});
