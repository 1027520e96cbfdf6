// The multipart/form-data encoder of transcription uploads: a standard body (parsed back by the
// platform's own FormData parser), escaped names, and a boundary that never occurs in the data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeMultipartForm } from '../src/multipart-form-body.ts';
import { formatNanotonAsTon } from '../src/receipt-summary.ts';

test('parsed back by FormData: fields, file name, type and bytes', async () => {
  const data = Uint8Array.from({ length: 512 }, (_, index) => index % 256);
  const form = encodeMultipartForm([{ name: 'file', data, filename: 'a\r\nb.wav', contentType: 'audio/wav' }, { name: 'model', value: 'openai/whisper-tiny' }]);
  const parsed = await new Response(form.body, { headers: { 'content-type': form.contentType } }).formData();
  assert.equal(parsed.get('model'), 'openai/whisper-tiny');
  const file = parsed.get('file') as File;
  assert.equal(file.type, 'audio/wav');
  assert.deepEqual(new Uint8Array(await file.arrayBuffer()), data);
  assert.doesNotMatch(Buffer.from(form.body).toString('latin1').split('\r\n\r\n')[0]!, /a\r\nb/);
});

test('a boundary found in the data is drawn again', () => {
  const draws = [new Uint8Array(16).fill(0xaa), new Uint8Array(16).fill(0xbb)];
  const data = new TextEncoder().encode(`before ----CocoonFormBoundary${'aa'.repeat(16)} after`);
  const form = encodeMultipartForm([{ name: 'file', data, filename: 'x', contentType: 'text/plain' }], () => draws.shift()!);
  assert.equal(form.contentType, `multipart/form-data; boundary=----CocoonFormBoundary${'bb'.repeat(16)}`);
});

test('nanoTON as exact TON decimals', () => {
  assert.equal(formatNanotonAsTon('140'), '0.00000014');
  assert.equal(formatNanotonAsTon(1_500_000_000n), '1.5');
  assert.equal(formatNanotonAsTon('0'), '0');
  assert.equal(formatNanotonAsTon('123456789012345678901'), '123456789012.345678901');
});
