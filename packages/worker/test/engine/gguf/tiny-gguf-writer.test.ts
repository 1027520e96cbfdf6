/** Tests of the tiny GGUF writer: a valid GGUF v3 file node-llama-cpp parses, reproducible by seed. */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readGgufFileInfo } from 'node-llama-cpp';
import { encodeTinyGguf, writeTinyGguf, encodeGgufFile } from '../../../src/engine/gguf/index.ts';

describe('tiny GGUF writer', () => {
  let directory: string;
  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'cocoon-gguf-'));
  });
  after(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  test('writes a GGUF v3 llama model that node-llama-cpp reads back', async () => {
    const path = join(directory, 'nested', 'tiny.gguf');
    const info = await writeTinyGguf(path, { seed: 3, vocab: [' hello', ' world'], blockCount: 1, chatTemplate: '{{ messages }}' });
    const bytes = await readFile(path);
    assert.equal(bytes.length, info.bytes);
    assert.equal(bytes.subarray(0, 4).toString('latin1'), 'GGUF');
    assert.equal(bytes.readUInt32LE(4), 3);
    const parsed = await readGgufFileInfo(path);
    assert.equal(parsed.version, 3);
    assert.equal(parsed.metadata.general.architecture, 'llama');
    assert.equal(parsed.tensorInfo?.length, 3 + 9);
    const tokens = parsed.metadata.tokenizer.ggml.tokens as string[];
    assert.equal(tokens.length, info.vocabularySize);
    assert.equal(new Set(tokens).size, tokens.length, 'no duplicate token strings');
    assert.ok(tokens.includes('<0x00>') && tokens.includes('<0xFF>'));
    assert.ok(tokens.includes('▁hello') && tokens.includes('▁h') && tokens.includes('▁he'), 'words and their SPM merge prefixes');
    assert.equal(parsed.metadata.tokenizer.chat_template, '{{ messages }}');
    const weightsPerBlock = 64 * 64 * 2 + 64 * 32 * 2 + 64 * 128 * 3 + 64 * 2;
    assert.equal(info.parameters, 64 * info.vocabularySize * 2 + 64 + weightsPerBlock);
  });

  test('same seed gives the same bytes; another seed other weights; duplicates are dropped', () => {
    const first = encodeTinyGguf({ seed: 5, vocab: [' a b', ' a b'] });
    const again = encodeTinyGguf({ seed: 5, vocab: [' a b', ' a b'] });
    const other = encodeTinyGguf({ seed: 6, vocab: [' a b', ' a b'] });
    assert.ok(first.file.equals(again.file));
    assert.equal(first.file.length, other.file.length);
    assert.ok(!first.file.equals(other.file));
    assert.equal(first.vocabularySize, encodeTinyGguf({ seed: 5, vocab: [' a b'] }).vocabularySize);
  });

  test('rejects inconsistent shapes', () => {
    assert.throws(() => encodeTinyGguf({ embeddingLength: 30, headCount: 4 }), /headCount/);
    assert.throws(() => encodeGgufFile(new Map(), [{ name: 't', dimensions: [2, 2], data: new Float32Array(3) }]), /3 values for 4 elements/);
  });
});
