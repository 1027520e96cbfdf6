/** Tests of the token → text streamer: incomplete UTF-8 held back, stop strings never streamed. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { LlamaTextStreamer } from '../../../src/engine/llama/llama-text-streamer.ts';

// Fake detokenizer: token n < 1000 is the character code n; 1000+ are the bytes of 'é' split in two.
const detokenize = (tokens: readonly number[]): string => {
  const bytes: number[] = [];
  for (const token of tokens) {
    if (token === 1000) bytes.push(0xc3);
    else if (token === 1001) bytes.push(0xa9);
    else bytes.push(...Buffer.from(String.fromCharCode(token), 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
};
const codes = (text: string): number[] => [...text].map((character) => character.charCodeAt(0));

function run(streamer: LlamaTextStreamer, tokens: number[]): { pieces: string[]; stopped: boolean } {
  const pieces: string[] = [];
  for (const token of tokens) {
    const piece = streamer.push(token);
    if (piece.text.length > 0) pieces.push(piece.text);
    if (piece.stopped) return { pieces, stopped: true };
  }
  const rest = streamer.finish();
  if (rest.text.length > 0) pieces.push(rest.text);
  return { pieces, stopped: rest.stopped };
}

describe('LlamaTextStreamer', () => {
  test('streams each token, holding a split UTF-8 character until it is complete', () => {
    const result = run(new LlamaTextStreamer(detokenize, []), [...codes('ab'), 1000, 1001, ...codes('c')]);
    assert.deepEqual(result, { pieces: ['a', 'b', 'é', 'c'], stopped: false });
  });

  test('cuts at a stop string, even one spread over several tokens, and holds its prefix', () => {
    const result = run(new LlamaTextStreamer(detokenize, ['END']), codes('xyENDzz'));
    assert.deepEqual(result, { pieces: ['x', 'y'], stopped: true });
  });

  test('releases a held stop prefix when the text goes another way, and at the end', () => {
    assert.deepEqual(run(new LlamaTextStreamer(detokenize, ['END']), codes('aENx')), { pieces: ['a', 'ENx'], stopped: false });
    assert.deepEqual(run(new LlamaTextStreamer(detokenize, ['END']), codes('aEN')), { pieces: ['a', 'EN'], stopped: false });
  });

  test('the earliest of several stop strings wins', () => {
    assert.deepEqual(run(new LlamaTextStreamer(detokenize, ['cd', 'bcx', '']), codes('abcd')), { pieces: ['a', 'b'], stopped: true });
  });
});
