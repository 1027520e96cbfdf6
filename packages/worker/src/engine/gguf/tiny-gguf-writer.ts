/**
 * Generates a tiny llama-architecture GGUF model with RANDOM weights (seeded, reproducible):
 * it proves the real llama.cpp loading and generation path offline, not output quality.
 * SPM vocabulary: <unk> <s> </s>, the 256 byte tokens <0x00>…<0xFF> (required by
 * llama.cpp), printable ASCII characters, then the caller's extra words with their prefixes
 * (the SPM merge path), deduplicated since a duplicate token string aborts llama.cpp.
 * F32 tensors, no quantization.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { encodeGgufFile } from './gguf-file-encoder.ts';
import type { GgufMetadataValue, GgufTensor } from './gguf-file-encoder.ts';

export interface TinyGgufOptions {
  /** Seed of the weight generator (default 1). */
  seed?: number;
  /** Extra vocabulary words (SPM pieces; a leading space becomes '▁'). */
  vocab?: readonly string[];
  /** Embedding width (default 64); a multiple of headCount. */
  embeddingLength?: number;
  /** Transformer blocks (default 2). */
  blockCount?: number;
  /** Attention heads (default 4). */
  headCount?: number;
  /** Key/value heads (default 2); divides headCount. */
  headCountKv?: number;
  /** Feed-forward width (default 128). */
  feedForwardLength?: number;
  /** Trained context length written to the metadata (default 512). */
  contextLength?: number;
  /** Optional Jinja chat template (`tokenizer.chat_template`); none by default. */
  chatTemplate?: string;
  /** `general.name` (default 'cocoon-tiny-random'). */
  name?: string;
}

export interface TinyGgufInfo {
  path: string;
  bytes: number;
  parameters: number;
  vocabularySize: number;
}

/** Marks a generated model in logs, /v1/models and stats: random weights, not a real model. */
export const TINY_GGUF_LABEL = 'tiny generated GGUF with random weights (proves the loading path, not quality)';

/** The label of a GGUF this writer generated (it writes TINY_GGUF_LABEL into `general.description`). */
export function tinyGgufLabelOf(metadata: { general?: { description?: string } } | undefined): string | undefined {
  return metadata?.general?.description === TINY_GGUF_LABEL ? TINY_GGUF_LABEL : undefined;
}

const TOKEN_TYPE = { normal: 1, unknown: 2, control: 3, byte: 6 } as const;
const SPM_SPACE = '▁';

/** mulberry32: small deterministic PRNG, returns floats in [0, 1). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Vocabulary {
  tokens: string[];
  scores: number[];
  types: number[];
}

function buildVocabulary(extraWords: readonly string[]): Vocabulary {
  const vocabulary: Vocabulary = { tokens: [], scores: [], types: [] };
  const seen = new Set<string>();
  const add = (token: string, type: number, score: number): void => {
    if (token.length === 0 || seen.has(token)) return;
    seen.add(token);
    vocabulary.tokens.push(token);
    vocabulary.types.push(type);
    vocabulary.scores.push(score);
  };
  add('<unk>', TOKEN_TYPE.unknown, 0);
  add('<s>', TOKEN_TYPE.control, 0);
  add('</s>', TOKEN_TYPE.control, 0);
  for (let byte = 0; byte < 256; byte++) add(`<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`, TOKEN_TYPE.byte, 0);
  add(SPM_SPACE, TOKEN_TYPE.normal, -1);
  for (let code = 33; code < 127; code++) add(String.fromCharCode(code), TOKEN_TYPE.normal, -2);
  // SPM only merges pairs whose concatenation is in the vocabulary: add every prefix of each
  // word too, so that a word becomes one token instead of one token per character.
  extraWords.forEach((word, index) => {
    const piece = word.replaceAll(' ', SPM_SPACE);
    const characters = [...piece];
    for (let length = 2; length <= characters.length; length++) add(characters.slice(0, length).join(''), TOKEN_TYPE.normal, -3 - index);
  });
  return vocabulary;
}

/** Builds the tiny model file in memory. */
export function encodeTinyGguf(options: TinyGgufOptions = {}): { file: Buffer; parameters: number; vocabularySize: number } {
  const embedding = options.embeddingLength ?? 64;
  const blocks = options.blockCount ?? 2;
  const heads = options.headCount ?? 4;
  const headsKv = options.headCountKv ?? 2;
  const feedForward = options.feedForwardLength ?? 128;
  if (embedding % heads !== 0 || heads % headsKv !== 0) throw new Error('tiny GGUF: embeddingLength must divide by headCount, headCount by headCountKv');
  const headDimension = embedding / heads;
  const kvWidth = headDimension * headsKv;
  const vocabulary = buildVocabulary(options.vocab ?? []);
  const vocabularySize = vocabulary.tokens.length;
  const random = seededRandom(options.seed ?? 1);
  const tensors: GgufTensor[] = [];
  const randomTensor = (name: string, dimensions: number[], scale: number): void => {
    const data = new Float32Array(dimensions.reduce((product, dimension) => product * dimension, 1));
    for (let index = 0; index < data.length; index++) data[index] = (random() * 2 - 1) * scale;
    tensors.push({ name, dimensions, data });
  };
  const onesTensor = (name: string, length: number): void => {
    tensors.push({ name, dimensions: [length], data: new Float32Array(length).fill(1) });
  };
  const scale = 1 / Math.sqrt(embedding);
  randomTensor('token_embd.weight', [embedding, vocabularySize], 1);
  onesTensor('output_norm.weight', embedding);
  randomTensor('output.weight', [embedding, vocabularySize], scale * 4);
  for (let block = 0; block < blocks; block++) {
    const prefix = `blk.${block}.`;
    onesTensor(`${prefix}attn_norm.weight`, embedding);
    randomTensor(`${prefix}attn_q.weight`, [embedding, embedding], scale);
    randomTensor(`${prefix}attn_k.weight`, [embedding, kvWidth], scale);
    randomTensor(`${prefix}attn_v.weight`, [embedding, kvWidth], scale);
    randomTensor(`${prefix}attn_output.weight`, [embedding, embedding], scale);
    onesTensor(`${prefix}ffn_norm.weight`, embedding);
    randomTensor(`${prefix}ffn_gate.weight`, [embedding, feedForward], scale);
    randomTensor(`${prefix}ffn_up.weight`, [embedding, feedForward], scale);
    randomTensor(`${prefix}ffn_down.weight`, [feedForward, embedding], 1 / Math.sqrt(feedForward));
  }
  const u32 = (value: number): GgufMetadataValue => ({ type: 'uint32', value });
  const metadata = new Map<string, GgufMetadataValue>([
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['general.name', { type: 'string', value: options.name ?? 'cocoon-tiny-random' }],
    ['general.description', { type: 'string', value: TINY_GGUF_LABEL }],
    ['general.alignment', u32(32)],
    ['general.file_type', u32(0)],
    ['llama.context_length', u32(options.contextLength ?? 512)],
    ['llama.embedding_length', u32(embedding)],
    ['llama.block_count', u32(blocks)],
    ['llama.feed_forward_length', u32(feedForward)],
    ['llama.attention.head_count', u32(heads)],
    ['llama.attention.head_count_kv', u32(headsKv)],
    ['llama.rope.dimension_count', u32(headDimension)],
    ['llama.attention.layer_norm_rms_epsilon', { type: 'float32', value: 1e-5 }],
    ['tokenizer.ggml.model', { type: 'string', value: 'llama' }],
    ['tokenizer.ggml.tokens', { type: 'array', itemType: 'string', value: vocabulary.tokens }],
    ['tokenizer.ggml.scores', { type: 'array', itemType: 'float32', value: vocabulary.scores }],
    ['tokenizer.ggml.token_type', { type: 'array', itemType: 'int32', value: vocabulary.types }],
    ['tokenizer.ggml.unknown_token_id', u32(0)],
    ['tokenizer.ggml.bos_token_id', u32(1)],
    ['tokenizer.ggml.eos_token_id', u32(2)],
    ['tokenizer.ggml.add_bos_token', { type: 'bool', value: true }],
  ]);
  if (options.chatTemplate !== undefined) metadata.set('tokenizer.chat_template', { type: 'string', value: options.chatTemplate });
  const parameters = tensors.reduce((sum, tensor) => sum + tensor.data.length, 0);
  return { file: encodeGgufFile(metadata, tensors), parameters, vocabularySize };
}

/** Writes the tiny random-weights model to `path` (parent folders created). */
export async function writeTinyGguf(path: string, options: TinyGgufOptions = {}): Promise<TinyGgufInfo> {
  const { file, parameters, vocabularySize } = encodeTinyGguf(options);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, file);
  return { path, bytes: file.length, parameters, vocabularySize };
}
