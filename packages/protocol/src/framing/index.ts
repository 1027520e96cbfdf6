/** Public API of the session framing layer (§2.4). */
export { encodeFrame, encodeFrames, encodeBoxedFrame } from './frame-encoder.ts';
export type { OutgoingFrame } from './frame-encoder.ts';
export { FrameDecoder } from './frame-decoder.ts';
export type { DecodedFrame, FrameDecoderOptions } from './frame-decoder.ts';
export { FRAME_HEADER_BYTES, MIN_FRAME_PAYLOAD_BYTES, MAX_FRAME_PAYLOAD_BYTES } from './frame-limits.ts';
export { encodePacketFrame } from './packet-frame-encoder.ts';
