/**
 * Unit tests of the session framing: frame layout, size limits, seqno checks, frames split
 * across chunks (down to single bytes) and several frames per chunk.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameDecoder, encodeBoxedFrame, encodeFrame, encodeFrames, MAX_FRAME_PAYLOAD_BYTES } from '../../src/framing/index.ts';
import type { DecodedFrame } from '../../src/framing/index.ts';
import { decodeBoxed } from '../../src/tl/index.ts';

const throwsCode = (run: () => unknown, code: string): void => {
  assert.throws(run, (error: unknown) => (error as { code?: string }).code === code);
};
const payload = (length: number, fill: number): Buffer => Buffer.alloc(length, fill);
const pushAll = (decoder: FrameDecoder, chunks: Buffer[]): DecodedFrame[] => chunks.flatMap((chunk) => decoder.push(chunk));

describe('frame encoding', () => {
  test('[u32 size][u32 seqno][payload]', () => {
    assert.equal(encodeFrame(3, Buffer.from('01020304', 'hex')).toString('hex'), '04000000' + '03000000' + '01020304');
    assert.equal(encodeFrames([{ seqno: 0, payload: payload(4, 1) }, { seqno: 1, payload: payload(5, 2) }]).toString('hex'),
      '0400000000000000' + '01010101' + '0500000001000000' + '0202020202');
  });

  test('encodeBoxedFrame equals encodeFrame of the encoded object', () => {
    const frame = encodeBoxedFrame(7, { _: 'tcp.ping', id: 99n });
    assert.equal(frame.toString('hex'), '0c000000' + '07000000' + '7c62e9bb' + '6300000000000000');
    assert.deepEqual(decodeBoxed(frame.subarray(8)), { _: 'tcp.ping', id: 99n });
  });

  test('rejects bad sizes and seqnos', () => {
    throwsCode(() => encodeFrame(0, payload(3, 0)), 'CCN_ERR_PROTOCOL_DECODE');
    throwsCode(() => encodeFrame(-1, payload(4, 0)), 'CCN_ERR_PROTOCOL_BAD_SEQNO');
    throwsCode(() => encodeFrame(0, Buffer.allocUnsafe(MAX_FRAME_PAYLOAD_BYTES + 1)), 'CCN_ERR_PROTOCOL_FRAME_TOO_LARGE');
  });
});

describe('FrameDecoder', () => {
  const frames = [payload(4, 1), payload(300, 2), payload(9, 3), payload(70_000, 4)];
  const wire = encodeFrames(frames.map((data, seqno) => ({ seqno, payload: data })));

  test('several frames in one chunk, payloads are views without copies', () => {
    const decoded = new FrameDecoder().push(wire);
    assert.deepEqual(decoded.map((frame) => frame.seqno), [0, 1, 2, 3]);
    assert.deepEqual(decoded.map((frame) => frame.payload), frames);
    assert.equal(decoded[1]?.payload.buffer, wire.buffer);
  });

  test('frames split byte by byte', () => {
    const decoder = new FrameDecoder();
    const out = pushAll(decoder, [...wire.subarray(0, 8 + 4 + 8 + 300 + 8 + 9 + 8)].map((byte) => Buffer.from([byte])));
    assert.deepEqual(out.map((frame) => frame.payload), frames.slice(0, 3));
    assert.equal(decoder.bufferedBytes, 8);
    assert.equal(decoder.expectedSeqno, 3);
  });

  test('every chunking yields the same frames', () => {
    for (const size of [2, 3, 5, 7, 8, 13, 4096, 65_536]) {
      const chunks: Buffer[] = [];
      for (let offset = 0; offset < wire.length; offset += size) chunks.push(wire.subarray(offset, offset + size));
      const decoder = new FrameDecoder();
      assert.deepEqual(pushAll(decoder, chunks).map((frame) => frame.payload), frames, `chunk size ${size}`);
      assert.equal(decoder.bufferedBytes, 0);
    }
  });

  test('a large frame in many small chunks is copied once', () => {
    const big = encodeFrame(0, payload(4 * 1024 * 1024, 9));
    const decoder = new FrameDecoder();
    let out: DecodedFrame[] = [];
    for (let offset = 0; offset < big.length; offset += 1024) out = out.concat(decoder.push(big.subarray(offset, offset + 1024)));
    assert.equal(out.length, 1);
    assert.equal(out[0]?.payload.length, 4 * 1024 * 1024);
  });

  test('empty chunks are ignored', () => {
    assert.deepEqual(new FrameDecoder().push(Buffer.alloc(0)), []);
  });

  test('oversized frame is rejected from its header alone', () => {
    const header = Buffer.alloc(8);
    header.writeUInt32LE(MAX_FRAME_PAYLOAD_BYTES + 1, 0);
    throwsCode(() => new FrameDecoder().push(header), 'CCN_ERR_PROTOCOL_FRAME_TOO_LARGE');
    const small = new FrameDecoder({ maxFrameBytes: 100 });
    throwsCode(() => small.push(encodeFrame(0, payload(101, 0)).subarray(0, 8)), 'CCN_ERR_PROTOCOL_FRAME_TOO_LARGE');
    header.writeUInt32LE(MAX_FRAME_PAYLOAD_BYTES, 0);
    assert.deepEqual(new FrameDecoder().push(header), []);
  });

  test('payload shorter than 4 bytes is a decode error', () => {
    throwsCode(() => new FrameDecoder().push(Buffer.from('0300000000000000', 'hex')), 'CCN_ERR_PROTOCOL_DECODE');
  });

  test('seqno must start at 0 and have no gaps; the decoder stays failed', () => {
    throwsCode(() => new FrameDecoder().push(encodeFrame(1, payload(4, 0))), 'CCN_ERR_PROTOCOL_BAD_SEQNO');
    const decoder = new FrameDecoder();
    assert.equal(decoder.push(encodeFrame(0, payload(4, 0))).length, 1);
    throwsCode(() => decoder.push(encodeFrame(2, payload(4, 0))), 'CCN_ERR_PROTOCOL_BAD_SEQNO');
    throwsCode(() => decoder.push(encodeFrame(1, payload(4, 0))), 'CCN_ERR_PROTOCOL_BAD_SEQNO');
    const repeated = new FrameDecoder();
    throwsCode(() => repeated.push(encodeFrames([{ seqno: 0, payload: payload(4, 0) }, { seqno: 0, payload: payload(4, 0) }])), 'CCN_ERR_PROTOCOL_BAD_SEQNO');
  });

  test('seqno verification can be switched off', () => {
    const decoder = new FrameDecoder({ verifySeqno: false });
    assert.deepEqual(decoder.push(encodeFrames([{ seqno: 5, payload: payload(4, 0) }, { seqno: 2, payload: payload(4, 1) }])).map((frame) => frame.seqno), [5, 2]);
  });
});
