/**
 * Session frame encoding (§2.4): `[u32 LE payload size][u32 LE seqno][payload]`, one frame or
 * several in one buffer (for a single socket write), or a TL object framed without an extra copy.
 */
import { CocoonError } from '../errors/error-table.ts';
import { encodeBoxedWithHeaderRoom } from '../tl/tl-codec.ts';
import type { TlObject } from '../tl/tl-types.ts';
import { FRAME_HEADER_BYTES, MAX_FRAME_PAYLOAD_BYTES, MIN_FRAME_PAYLOAD_BYTES } from './frame-limits.ts';

export interface OutgoingFrame {
  seqno: number;
  payload: Buffer;
}

function checkFrame(seqno: number, payloadLength: number): void {
  if (seqno >>> 0 !== seqno) {
    throw new CocoonError('CCN_ERR_PROTOCOL_BAD_SEQNO', `frame seqno must be an unsigned 32-bit integer, got ${seqno}`);
  }
  if (payloadLength > MAX_FRAME_PAYLOAD_BYTES) {
    throw new CocoonError('CCN_ERR_PROTOCOL_FRAME_TOO_LARGE', `frame payload of ${payloadLength} bytes exceeds ${MAX_FRAME_PAYLOAD_BYTES}`);
  }
  if (payloadLength < MIN_FRAME_PAYLOAD_BYTES) {
    throw new CocoonError('CCN_ERR_PROTOCOL_DECODE', `frame payload of ${payloadLength} bytes is shorter than ${MIN_FRAME_PAYLOAD_BYTES}`);
  }
}

function writeHeader(target: Buffer, offset: number, seqno: number, payloadLength: number): void {
  target.writeUInt32LE(payloadLength, offset);
  target.writeUInt32LE(seqno, offset + 4);
}

/** One frame: header + payload (the payload is copied once). */
export function encodeFrame(seqno: number, payload: Buffer): Buffer {
  checkFrame(seqno, payload.length);
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  writeHeader(frame, 0, seqno, payload.length);
  payload.copy(frame, FRAME_HEADER_BYTES);
  return frame;
}

/** Several frames concatenated into one buffer. */
export function encodeFrames(frames: readonly OutgoingFrame[]): Buffer {
  let total = 0;
  for (const frame of frames) {
    checkFrame(frame.seqno, frame.payload.length);
    total += FRAME_HEADER_BYTES + frame.payload.length;
  }
  const output = Buffer.allocUnsafe(total);
  let offset = 0;
  for (const frame of frames) {
    writeHeader(output, offset, frame.seqno, frame.payload.length);
    frame.payload.copy(output, offset + FRAME_HEADER_BYTES);
    offset += FRAME_HEADER_BYTES + frame.payload.length;
  }
  return output;
}

/** Encodes a boxed TL object (normally a tcp.*) straight into a frame. */
export function encodeBoxedFrame(seqno: number, value: TlObject): Buffer {
  const frame = encodeBoxedWithHeaderRoom(value, FRAME_HEADER_BYTES);
  const payloadLength = frame.length - FRAME_HEADER_BYTES;
  checkFrame(seqno, payloadLength);
  writeHeader(frame, 0, seqno, payloadLength);
  return frame;
}
