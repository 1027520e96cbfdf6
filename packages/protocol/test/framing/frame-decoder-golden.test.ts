/**
 * Golden test of the frame decoder: each direction of every captured stream, fed in awkward
 * chunk sizes, yields exactly the captured frames. Where the capture omits frames (seqno gaps),
 * a verifying decoder must fail at the first gap with CCN_ERR_PROTOCOL_BAD_SEQNO.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameDecoder } from '../../src/framing/index.ts';
import { loadGoldenStreams } from '../tl/reference-data.ts';

const streams = loadGoldenStreams();

describe('FrameDecoder on the golden streams', () => {
  for (const [streamName, frames] of Object.entries(streams)) {
    for (const direction of ['c2s', 's2c'] as const) {
      const captured = frames.filter((frame) => frame.dir === direction);
      const wire = Buffer.concat(captured.map((frame) => Buffer.from(frame.hex, 'hex')));
      const firstGap = captured.findIndex((frame, index) => frame.seqno !== index);

      test(`${streamName} ${direction}: ${captured.length} frames in 1/7/1000-byte chunks`, () => {
        for (const size of [1, 7, 1000]) {
          const decoder = new FrameDecoder({ verifySeqno: false });
          const out = [];
          for (let offset = 0; offset < wire.length; offset += size) out.push(...decoder.push(wire.subarray(offset, offset + size)));
          assert.deepEqual(out.map((frame) => frame.seqno), captured.map((frame) => frame.seqno));
          assert.deepEqual(out.map((frame) => frame.payload.toString('hex')), captured.map((frame) => frame.hex.slice(16)));
        }
      });

      test(`${streamName} ${direction}: seqno verification ${firstGap < 0 ? 'passes' : 'stops at the first omitted frame'}`, () => {
        const decoder = new FrameDecoder();
        const offsets = captured.map((frame) => frame.hex.length / 2);
        if (firstGap < 0) {
          assert.equal(decoder.push(wire).length, captured.length);
          return;
        }
        const beforeGap = offsets.slice(0, firstGap).reduce((sum, length) => sum + length, 0);
        assert.equal(decoder.push(wire.subarray(0, beforeGap)).length, firstGap);
        assert.throws(() => decoder.push(wire.subarray(beforeGap)), (error: unknown) => (error as { code?: string }).code === 'CCN_ERR_PROTOCOL_BAD_SEQNO');
      });
    }
  }
});
