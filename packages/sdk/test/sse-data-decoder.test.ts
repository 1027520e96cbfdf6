// The SSE decoder of streamed answers: events split anywhere (even inside a UTF-8 character or a
// CRLF), multi-line data, comments and other fields skipped, a last event without its blank line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SseDataDecoder } from '../src/sse-data-decoder.ts';

const body = ': keep-alive\r\nevent: message\r\ndata: {"a":"é"}\r\n\r\ndata: line one\ndata:line two\nid: 7\n\ndata: [DONE]\n\ndata: tail';

test('the same events however the bytes are cut', () => {
  const bytes = new TextEncoder().encode(body);
  const expected = ['{"a":"é"}', 'line one\nline two', '[DONE]', 'tail'];
  for (let size = 1; size <= bytes.length; size++) {
    const decoder = new SseDataDecoder();
    const events: string[] = [];
    for (let offset = 0; offset < bytes.length; offset += size) events.push(...decoder.push(bytes.subarray(offset, offset + size)));
    events.push(...decoder.end());
    assert.deepEqual(events, expected, `pieces of ${size} bytes`);
  }
});

test('a lone CR ends a line; an empty data line is an empty event', () => {
  const decoder = new SseDataDecoder();
  assert.deepEqual([...decoder.push(new TextEncoder().encode('data: x\r\rdata:\n\n')), ...decoder.end()], ['x', '']);
});
