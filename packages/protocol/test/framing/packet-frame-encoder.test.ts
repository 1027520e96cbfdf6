/** The one-pass tcp.packet framer must produce exactly what nested encoding produces. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeBoxed, decodeBoxed } from '../../src/tl/index.ts';
import { encodeFrame, encodePacketFrame } from '../../src/framing/index.ts';
import { loadGoldenStreams } from '../tl/reference-data.ts';

function nested(seqno: number, message: Parameters<typeof encodeBoxed>[0]): Buffer {
  return encodeFrame(seqno, encodeBoxed({ _: 'tcp.packet', data: encodeBoxed(message) }));
}

test('matches nested encoding for every size class of the inner object', () => {
  for (const size of [0, 1, 2, 3, 200, 237, 238, 239, 240, 241, 250, 253, 254, 255, 1000, 70_000]) {
    const message = { _: 'client.queryAnswerPartEx', request_id: Buffer.alloc(32, 5), answer: Buffer.alloc(size, 0x61), flags: 0 };
    assert.deepEqual(encodePacketFrame(7, message), nested(7, message), `answer of ${size} bytes`);
  }
});

test('re-frames every golden tcp.packet byte for byte', () => {
  let count = 0;
  for (const frames of Object.values(loadGoldenStreams())) {
    for (const frame of frames) {
      if (frame.outer !== 'tcp.packet') continue;
      const bytes = Buffer.from(frame.hex, 'hex');
      const inner = decodeBoxed(decodeBoxed(bytes.subarray(8)).data as Buffer);
      assert.equal(encodePacketFrame(bytes.readUInt32LE(4), inner).toString('hex'), frame.hex);
      count += 1;
    }
  }
  assert.ok(count > 100);
});
