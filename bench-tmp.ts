import { encodeBoxed, decodeBoxed } from './packages/protocol/src/tl/index.ts';
import { FrameDecoder, encodeBoxedFrame } from './packages/protocol/src/framing/index.ts';
const tokens = { _: 'tokensUsed', prompt_tokens_used: 1n, cached_tokens_used: 2n, completion_tokens_used: 3n, reasoning_tokens_used: 4n, total_tokens_used: 10n };
const part = { _: 'client.queryAnswerPartEx', request_id: Buffer.alloc(32, 1), answer: Buffer.alloc(200, 48), flags: 1, final_info: { _: 'client.queryFinalInfo', tokens_used: tokens, proxy_start_time: 1, proxy_end_time: 2, worker_start_time: 3, worker_end_time: 4 } };
const simple = { _: 'client.queryAnswerPartEx', request_id: Buffer.alloc(32, 1), answer: Buffer.alloc(200, 48), flags: 0 };
for (let round = 0; round < 3; round++)
for (const [label, value] of [['part200', part], ['simple200', simple], ['ping', { _: 'tcp.ping', id: 5n }], ['header', {_: 'http.header', name: 'Content-Type', value: 'application/json'}]] as const) {
  const N = 300000; let t = performance.now(); let enc: Buffer = Buffer.alloc(0);
  for (let i = 0; i < N; i++) enc = encodeBoxed(value as any);
  const e = performance.now() - t; t = performance.now();
  for (let i = 0; i < N; i++) decodeBoxed(enc);
  const d = performance.now() - t;
  if (round === 2) console.log(label, 'encode', (e / N * 1e6).toFixed(0), 'ns', 'decode', (d / N * 1e6).toFixed(0), 'ns');
}
const frame = encodeBoxedFrame(0, { _: 'tcp.packet', data: encodeBoxed(part as any) });
const frames: Buffer[] = []; for (let i = 0; i < 300000; i++) { const f = Buffer.from(frame); f.writeUInt32LE(i, 4); frames.push(f); }
const wire = Buffer.concat(frames);
for (let round = 0; round < 3; round++) {
const dec = new FrameDecoder({verifySeqno: false}); let t = performance.now(); let n = 0;
for (let o = 0; o < wire.length; o += 65536) n += dec.push(wire.subarray(o, o + 65536)).length;
console.log('frames', n, ((wire.length / 1e6) / ((performance.now() - t) / 1000)).toFixed(0), 'MB/s', ((performance.now() - t) / n * 1e6).toFixed(0), 'ns/frame');
}
