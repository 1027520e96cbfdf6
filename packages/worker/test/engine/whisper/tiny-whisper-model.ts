/**
 * Test support: writes a tiny RANDOM-WEIGHTS whisper.cpp ggml model (`ggml-*.bin` layout: magic,
 * hyper-parameters, mel filters, vocabulary, named F32 tensors) that the real native loader
 * accepts and transcribes with in milliseconds — state 16, one encoder and one decoder layer, the
 * English-only vocabulary size (51864) so every special token exists. Its transcripts are
 * gibberish; it proves the loading and transcription path offline, without downloading a model.
 */
import { writeFile } from 'node:fs/promises';

export interface TinyWhisperModelOptions {
  seed?: number;
  /** Hidden width of encoder and decoder (default 16). */
  state?: number;
}

const VOCABULARY_SIZE = 51_864;
const WRITTEN_WORDS = 50_256; // the text tokens; whisper.cpp adds the special ones itself
const AUDIO_CONTEXT = 1500;
const TEXT_CONTEXT = 448;
const MELS = 80;
const FFT_BINS = 201;
const WORDS = [' ', ' hello', ' world', ' cocoon', ' voice', ' note', ' the', ' a'];

export function encodeTinyWhisperModel(options: TinyWhisperModelOptions = {}): Buffer {
  const state = options.state ?? 16;
  const heads = 2;
  let seed = options.seed ?? 1;
  const random = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed / 2 ** 32 - 0.5) * 0.2;
  };
  const chunks: Buffer[] = [];
  const int32 = (...values: number[]): void => {
    const buffer = Buffer.alloc(4 * values.length);
    values.forEach((value, index) => buffer.writeInt32LE(value, index * 4));
    chunks.push(buffer);
  };
  const floats = (count: number, fill?: number): void => {
    const buffer = Buffer.alloc(4 * count);
    for (let index = 0; index < count; index++) buffer.writeFloatLE(fill ?? random(), index * 4);
    chunks.push(buffer);
  };
  int32(0x67676d6c);
  int32(VOCABULARY_SIZE, AUDIO_CONTEXT, state, heads, 1, TEXT_CONTEXT, state, heads, 1, MELS, 0);
  int32(MELS, FFT_BINS);
  floats(MELS * FFT_BINS, 0.01);
  int32(WRITTEN_WORDS);
  for (let index = 0; index < WRITTEN_WORDS; index++) {
    const word = Buffer.from(WORDS[index % WORDS.length]!, 'utf8');
    int32(word.length);
    chunks.push(word);
  }
  const tensor = (name: string, dimensions: number[], fill?: number): void => {
    const encoded = Buffer.from(name, 'utf8');
    int32(dimensions.length, encoded.length, 0);
    int32(...dimensions);
    chunks.push(encoded);
    floats(dimensions.reduce((product, size) => product * size, 1), fill);
  };
  const block = (prefix: string, attentions: string[]): void => {
    tensor(`${prefix}.mlp_ln.weight`, [state], 1);
    tensor(`${prefix}.mlp_ln.bias`, [state], 0);
    tensor(`${prefix}.mlp.0.weight`, [state, 4 * state]);
    tensor(`${prefix}.mlp.0.bias`, [4 * state]);
    tensor(`${prefix}.mlp.2.weight`, [4 * state, state]);
    tensor(`${prefix}.mlp.2.bias`, [state]);
    for (const attention of attentions) {
      tensor(`${prefix}.${attention}_ln.weight`, [state], 1);
      tensor(`${prefix}.${attention}_ln.bias`, [state], 0);
      tensor(`${prefix}.${attention}.query.weight`, [state, state]);
      tensor(`${prefix}.${attention}.query.bias`, [state]);
      tensor(`${prefix}.${attention}.key.weight`, [state, state]);
      tensor(`${prefix}.${attention}.value.weight`, [state, state]);
      tensor(`${prefix}.${attention}.value.bias`, [state]);
      tensor(`${prefix}.${attention}.out.weight`, [state, state]);
      tensor(`${prefix}.${attention}.out.bias`, [state]);
    }
  };
  tensor('encoder.positional_embedding', [state, AUDIO_CONTEXT]);
  tensor('encoder.conv1.weight', [3, MELS, state]);
  tensor('encoder.conv1.bias', [1, state]);
  tensor('encoder.conv2.weight', [3, state, state]);
  tensor('encoder.conv2.bias', [1, state]);
  tensor('encoder.ln_post.weight', [state], 1);
  tensor('encoder.ln_post.bias', [state], 0);
  block('encoder.blocks.0', ['attn']);
  tensor('decoder.positional_embedding', [state, TEXT_CONTEXT]);
  tensor('decoder.token_embedding.weight', [state, VOCABULARY_SIZE]);
  tensor('decoder.ln.weight', [state], 1);
  tensor('decoder.ln.bias', [state], 0);
  block('decoder.blocks.0', ['attn', 'cross_attn']);
  return Buffer.concat(chunks);
}

export async function writeTinyWhisperModel(path: string, options: TinyWhisperModelOptions = {}): Promise<Buffer> {
  const file = encodeTinyWhisperModel(options);
  await writeFile(path, file);
  return file;
}

/** `seconds` of a 440 Hz tone at 16 kHz, 16-bit. */
export function toneSamples(seconds: number, hertz = 440): Int16Array {
  const samples = new Int16Array(Math.round(16_000 * seconds));
  for (let index = 0; index < samples.length; index++) samples[index] = Math.round(8000 * Math.sin((2 * Math.PI * hertz * index) / 16_000));
  return samples;
}

/** A multipart/form-data transcription body with `file` and text fields. */
export function transcriptionForm(file: Buffer, fields: Record<string, string> = {}, filename = 'audio.wav'): { body: Buffer; contentType: string } {
  const boundary = 'cocoon-test-boundary';
  const parts: Buffer[] = [Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: audio/wav\r\n\r\n`), file, Buffer.from('\r\n')];
  for (const [name, value] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
