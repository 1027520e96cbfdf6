/** Size limits and layout constants of the session framing (§2.4). */

/** `[u32 LE size][u32 LE seqno]` in front of every payload. */
export const FRAME_HEADER_BYTES = 8;
/** Smallest legal payload: a constructor ID. */
export const MIN_FRAME_PAYLOAD_BYTES = 4;
/** Largest legal payload: 16 MiB. */
export const MAX_FRAME_PAYLOAD_BYTES = 16 * 1024 * 1024;
