/**
 * Checks a whisper.cpp ggml model file (`ggml-*.bin`) before the native loader sees it: the loader
 * aborts the whole process (GGML_ASSERT) on some corrupt headers instead of failing, so a file that
 * is missing, is a GGUF (llama.cpp) model, has a bad magic, impossible hyper-parameters, an unknown
 * weight type or is cut short is refused here with a CocoonError naming the file and the problem.
 */
import { open } from 'node:fs/promises';
import { CocoonError } from '@cocoon/protocol';

/** 'ggml' read as a little-endian uint32 (GGML_FILE_MAGIC). */
export const GGML_FILE_MAGIC = 0x67676d6c;
const GGUF_MAGIC = 0x46554747;
const HEADER_BYTES = 4 + 11 * 4 + 8;
/** ggml weight types whisper.cpp maps (ftype % 1000): F32, F16, Q4_0, Q4_1, Q8_0 … BF16. */
const KNOWN_FTYPES = new Set([0, 1, 2, 3, ...Array.from({ length: 18 }, (_, index) => index + 7)]);

export interface WhisperModelHeader {
  vocabulary: number;
  audioContext: number;
  state: number;
  audioHeads: number;
  audioLayers: number;
  textContext: number;
  textHeads: number;
  textLayers: number;
  mels: number;
  ftype: number;
  bytes: number;
}

const FIELDS = ['vocabulary', 'audioContext', 'state', 'audioHeads', 'audioLayers', 'textContext', 'textState', 'textHeads', 'textLayers', 'mels', 'ftype'] as const;

/** Reads and checks the header of `path`; throws CCN_ERR_CONFIG_INVALID (missing) or CCN_ERR_ENGINE_UNAVAILABLE (not a usable model). */
export async function readWhisperModelHeader(path: string): Promise<WhisperModelHeader> {
  let file;
  try {
    file = await open(path, 'r');
  } catch (error) {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', `whisper model ${path}: cannot open it (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { param: 'model_path', cause: error });
  }
  try {
    const { size } = await file.stat();
    const head = Buffer.alloc(HEADER_BYTES);
    const { bytesRead } = await file.read(head, 0, HEADER_BYTES, 0);
    return checkWhisperModelHeader(path, head.subarray(0, bytesRead), size);
  } finally {
    await file.close();
  }
}

/** Checks the first bytes of a model file of `size` bytes. */
export function checkWhisperModelHeader(path: string, head: Buffer, size: number): WhisperModelHeader {
  const bad = (reason: string) => new CocoonError('CCN_ERR_ENGINE_UNAVAILABLE', `whisper model ${path}: ${reason}`, { param: 'model_path' });
  if (head.length < 4) throw bad(`not a whisper.cpp ggml model (${size} bytes)`);
  const magic = head.readUInt32LE(0);
  if (magic === GGUF_MAGIC) throw bad('this is a GGUF file (a llama.cpp model); the whisper engine needs a whisper.cpp ggml model such as ggml-base.en.bin');
  if (magic !== GGML_FILE_MAGIC) throw bad('not a whisper.cpp ggml model (bad magic)');
  if (head.length < HEADER_BYTES) throw bad(`cut short: ${size} bytes, not even a header`);
  const values = FIELDS.map((_, index) => head.readInt32LE(4 + index * 4));
  const field = Object.fromEntries(FIELDS.map((name, index) => [name, values[index]!])) as Record<(typeof FIELDS)[number], number>;
  const inRange = (value: number, low: number, high: number) => value >= low && value <= high;
  if (!inRange(field.vocabulary, 51_864, 52_000)) throw bad(`vocabulary of ${field.vocabulary} tokens: whisper models have 51864 to 51866`);
  if (!inRange(field.audioContext, 1, 1500) || !inRange(field.textContext, 1, 4096)) throw bad(`audio/text context ${field.audioContext}/${field.textContext} out of range`);
  if (!inRange(field.state, 1, 8192) || field.textState !== field.state) throw bad(`audio state ${field.state} and text state ${field.textState} must match (1 to 8192)`);
  for (const [heads, layers] of [[field.audioHeads, field.audioLayers], [field.textHeads, field.textLayers]] as const) {
    if (!inRange(heads, 1, 128) || field.state % heads !== 0 || !inRange(layers, 1, 128)) throw bad(`${heads} heads / ${layers} layers do not fit a state of ${field.state}`);
  }
  if (field.mels !== 80 && field.mels !== 128) throw bad(`${field.mels} mel bands (whisper uses 80 or 128)`);
  if (field.ftype < 0 || !KNOWN_FTYPES.has(field.ftype % 1000)) throw bad(`unknown weight type ${field.ftype}`);
  const filterMels = head.readInt32LE(4 + 11 * 4);
  const filterBins = head.readInt32LE(4 + 12 * 4);
  if (!inRange(filterMels, 1, 256) || !inRange(filterBins, 1, 1024) || HEADER_BYTES + filterMels * filterBins * 4 > size) throw bad('mel filter table missing or cut short');
  return {
    vocabulary: field.vocabulary, audioContext: field.audioContext, state: field.state, audioHeads: field.audioHeads, audioLayers: field.audioLayers,
    textContext: field.textContext, textHeads: field.textHeads, textLayers: field.textLayers, mels: field.mels, ftype: field.ftype, bytes: size,
  };
}
