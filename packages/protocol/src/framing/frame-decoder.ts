/**
 * Incremental session frame decoder (§2.4): feed it socket chunks, get whole frames back.
 * Handles frames split across chunks and many frames per chunk; each byte is copied at most
 * twice (payloads inside one chunk are returned as views, no copy). Enforces the payload size
 * range and, per direction, seqnos 0, 1, 2, … without gaps. After an error the decoder stays
 * failed and rethrows that error: the connection must be dropped.
 * Memory stays O(bytes received): a header is checked against the limit as soon as it arrives
 * (an oversized announcement fails at once, nothing is allocated for it), a partial payload is
 * kept as the received chunks until it completes, and `release()` drops everything on close.
 * The limit can be raised later (`setMaxFrameBytes`), e.g. once the peer has authorized.
 */
import { CocoonError } from '../errors/error-table.ts';
import { FRAME_HEADER_BYTES, MAX_FRAME_PAYLOAD_BYTES, MIN_FRAME_PAYLOAD_BYTES } from './frame-limits.ts';

export interface DecodedFrame {
  seqno: number;
  payload: Buffer;
}

export interface FrameDecoderOptions {
  /** Largest accepted payload, default 16 MiB (can be changed later with `setMaxFrameBytes`). */
  maxFrameBytes?: number;
  /** Check that seqnos count up from 0 without gaps (default true). */
  verifySeqno?: boolean;
}

export class FrameDecoder {
  private maxFrameBytes: number;
  private readonly verifySeqno: boolean;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Payload size of the partial frame held in `pending`, or -1 while its header is incomplete. */
  private pendingFrameSize = -1;
  private nextSeqno = 0;
  private failure: CocoonError | undefined;

  constructor(options: FrameDecoderOptions = {}) {
    this.maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_PAYLOAD_BYTES;
    this.verifySeqno = options.verifySeqno ?? true;
  }

  /** Bytes received but not yet returned as part of a frame. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /** The current payload limit. */
  get maxFramePayloadBytes(): number {
    return this.maxFrameBytes;
  }

  /**
   * Changes the payload limit for headers not yet received (a header already accepted keeps
   * its size). Raised once a peer has authorized; at most the protocol's 16 MiB.
   */
  setMaxFrameBytes(maxFrameBytes: number): void {
    if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < MIN_FRAME_PAYLOAD_BYTES || maxFrameBytes > MAX_FRAME_PAYLOAD_BYTES) {
      throw new RangeError(`frame payload limit must be an integer in [${MIN_FRAME_PAYLOAD_BYTES}, ${MAX_FRAME_PAYLOAD_BYTES}], got ${maxFrameBytes}`);
    }
    this.maxFrameBytes = maxFrameBytes;
  }

  /** Drops every buffered byte; later pushes fail. Called when the connection ends. */
  release(): void {
    this.failure ??= new CocoonError('CCN_ERR_SESSION_CLOSED', 'frame decoder released');
    this.clearPending();
  }

  /** The seqno the next frame must carry. */
  get expectedSeqno(): number {
    return this.nextSeqno;
  }

  /** Adds received bytes; returns the frames completed by them, in order. */
  push(chunk: Buffer): DecodedFrame[] {
    if (this.failure) throw this.failure;
    try {
      return this.pushChunk(chunk);
    } catch (error) {
      this.failure = error instanceof CocoonError ? error : new CocoonError('CCN_ERR_PROTOCOL_DECODE', String(error), { cause: error });
      this.clearPending();
      throw this.failure;
    }
  }

  private pushChunk(chunk: Buffer): DecodedFrame[] {
    if (chunk.length === 0) return [];
    let buffer: Buffer;
    if (this.pendingBytes === 0) {
      buffer = chunk;
    } else {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.pendingFrameSize >= 0 && this.pendingBytes < FRAME_HEADER_BYTES + this.pendingFrameSize) return [];
      buffer = Buffer.concat(this.pending, this.pendingBytes);
    }
    const frames: DecodedFrame[] = [];
    let offset = 0;
    let frameSize = -1;
    while (buffer.length - offset >= FRAME_HEADER_BYTES) {
      frameSize = this.checkedSize(buffer.readUInt32LE(offset));
      if (buffer.length - offset - FRAME_HEADER_BYTES < frameSize) break;
      const seqno = this.checkedSeqno(buffer.readUInt32LE(offset + 4));
      const start = offset + FRAME_HEADER_BYTES;
      frames.push({ seqno, payload: buffer.subarray(start, start + frameSize) });
      offset = start + frameSize;
      frameSize = -1;
    }
    if (offset < buffer.length) {
      // A small tail of a large buffer is copied so that the consumed part can be freed
      // (the copy costs at most the bytes just consumed).
      const rest = offset === 0 ? buffer : offset > buffer.length - offset ? Buffer.from(buffer.subarray(offset)) : buffer.subarray(offset);
      this.pending = [rest];
      this.pendingBytes = rest.length;
      this.pendingFrameSize = frameSize;
    } else {
      this.clearPending();
    }
    return frames;
  }

  private clearPending(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.pendingFrameSize = -1;
  }

  private checkedSize(size: number): number {
    if (size > this.maxFrameBytes) {
      throw new CocoonError('CCN_ERR_PROTOCOL_FRAME_TOO_LARGE', `frame payload of ${size} bytes exceeds the limit of ${this.maxFrameBytes}`);
    }
    if (size < MIN_FRAME_PAYLOAD_BYTES) {
      throw new CocoonError('CCN_ERR_PROTOCOL_DECODE', `frame payload of ${size} bytes is shorter than ${MIN_FRAME_PAYLOAD_BYTES}`);
    }
    return size;
  }

  private checkedSeqno(seqno: number): number {
    if (this.verifySeqno && seqno !== this.nextSeqno) {
      throw new CocoonError('CCN_ERR_PROTOCOL_BAD_SEQNO', `expected frame seqno ${this.nextSeqno}, got ${seqno}`);
    }
    this.nextSeqno = (seqno + 1) >>> 0;
    return seqno;
  }
}
