/**
 * The frame decoder's adjustable payload limit and its memory: a small limit refuses an
 * oversized header before buffering anything, the limit can be raised later (after a peer
 * authorized), a partial frame holds only the bytes received, and release() drops them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameDecoder, encodeFrame, MAX_FRAME_PAYLOAD_BYTES } from '../../src/framing/index.ts';

const KIB = 1024;
const throwsCode = (run: () => unknown, code: string): void => {
  assert.throws(run, (error: unknown) => (error as { code?: string }).code === code);
};
const header = (size: number, seqno = 0): Buffer => {
  const bytes = Buffer.alloc(8);
  bytes.writeUInt32LE(size, 0);
  bytes.writeUInt32LE(seqno, 4);
  return bytes;
};

test('a header announcing more than a small limit fails at once, with nothing buffered', () => {
  const decoder = new FrameDecoder({ maxFrameBytes: 64 * KIB });
  assert.equal(decoder.maxFramePayloadBytes, 64 * KIB);
  throwsCode(() => decoder.push(Buffer.concat([header(16 * KIB * KIB), Buffer.alloc(1000)])), 'CCN_ERR_PROTOCOL_FRAME_TOO_LARGE');
  assert.equal(decoder.bufferedBytes, 0);
  throwsCode(() => decoder.push(Buffer.alloc(10)), 'CCN_ERR_PROTOCOL_FRAME_TOO_LARGE'); // stays failed
  assert.equal(new FrameDecoder({ maxFrameBytes: 64 * KIB }).push(encodeFrame(0, Buffer.alloc(64 * KIB, 1))).length, 1, 'exactly the limit passes');
});

test('raising the limit lets later large frames through', () => {
  const decoder = new FrameDecoder({ maxFrameBytes: 64 * KIB });
  assert.equal(decoder.push(encodeFrame(0, Buffer.alloc(100, 1))).length, 1);
  decoder.setMaxFrameBytes(MAX_FRAME_PAYLOAD_BYTES);
  const big = decoder.push(encodeFrame(1, Buffer.alloc(1024 * KIB, 2)));
  assert.equal(big.length, 1);
  assert.equal(big[0]?.payload.length, 1024 * KIB);
  const lowered = new FrameDecoder();
  lowered.setMaxFrameBytes(4 * KIB);
  throwsCode(() => lowered.push(header(4 * KIB + 1)), 'CCN_ERR_PROTOCOL_FRAME_TOO_LARGE');
});

test('limits outside [4 B, 16 MiB] are refused', () => {
  const decoder = new FrameDecoder();
  assert.throws(() => decoder.setMaxFrameBytes(MAX_FRAME_PAYLOAD_BYTES + 1), RangeError);
  assert.throws(() => decoder.setMaxFrameBytes(3), RangeError);
  assert.throws(() => decoder.setMaxFrameBytes(1.5), RangeError);
  assert.equal(decoder.maxFramePayloadBytes, MAX_FRAME_PAYLOAD_BYTES);
});

test('a partial 16 MiB frame holds only the bytes received, not the announced size', () => {
  const decoder = new FrameDecoder();
  const before = process.memoryUsage().arrayBuffers;
  assert.deepEqual(decoder.push(Buffer.concat([header(MAX_FRAME_PAYLOAD_BYTES), Buffer.alloc(1000, 7)])), []);
  for (let chunk = 0; chunk < 10; chunk += 1) decoder.push(Buffer.alloc(16 * KIB, 7));
  assert.equal(decoder.bufferedBytes, 8 + 1000 + 10 * 16 * KIB);
  const grown = process.memoryUsage().arrayBuffers - before;
  assert.ok(grown < 4 * KIB * KIB, `decoder grew array buffers by ${grown} bytes for a 16 MiB announcement`);
});

test('release() drops the buffered bytes and fails later pushes', () => {
  const decoder = new FrameDecoder();
  decoder.push(Buffer.concat([header(100 * KIB), Buffer.alloc(50 * KIB)]));
  assert.equal(decoder.bufferedBytes, 8 + 50 * KIB);
  decoder.release();
  assert.equal(decoder.bufferedBytes, 0);
  throwsCode(() => decoder.push(Buffer.alloc(60 * KIB)), 'CCN_ERR_SESSION_CLOSED');
});

test('a small tail after a large frame is kept as its own copy, not as a view of the large buffer', () => {
  const decoder = new FrameDecoder();
  const tail = Buffer.concat([header(100, 1), Buffer.alloc(10, 3)]);
  const frames = decoder.push(Buffer.concat([encodeFrame(0, Buffer.alloc(1024 * KIB, 1)), tail]));
  assert.equal(frames.length, 1);
  assert.equal(decoder.bufferedBytes, tail.length);
  // White-box: the held tail must not keep the 1 MiB chunk alive once the frame is consumed.
  const held = (decoder as unknown as { pending: Buffer[] }).pending;
  assert.ok(held.every((buffer) => buffer.buffer.byteLength < 64 * KIB), `held ${held.map((buffer) => buffer.buffer.byteLength).join(',')} bytes`);
  const rest = decoder.push(Buffer.alloc(90, 3));
  assert.equal(rest.length, 1);
  assert.equal(rest[0]?.seqno, 1);
  assert.deepEqual(rest[0]?.payload, Buffer.concat([Buffer.alloc(10, 3), Buffer.alloc(90, 3)]));
});
