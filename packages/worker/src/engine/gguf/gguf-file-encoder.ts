/**
 * Encodes a GGUF v3 file (the llama.cpp model format): header, metadata key/value pairs,
 * tensor infos, alignment padding and the F32 tensor data. Only what the tiny test model
 * needs: scalar/string/array metadata and F32 tensors.
 */

/** GGUF metadata value types (gguf.h `gguf_type`). */
export const GgufValueType = {
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  array: 9,
} as const;

export type GgufMetadataValue =
  | { type: 'uint32' | 'int32' | 'float32'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'array'; itemType: 'int32' | 'float32' | 'string'; value: readonly number[] | readonly string[] };

export interface GgufTensor {
  name: string;
  /** Dimensions with ne0 (the fastest-moving one) first, as GGUF stores them. */
  dimensions: readonly number[];
  data: Float32Array;
}

const GGML_TYPE_F32 = 0;
const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian u32

/** Grows a byte list while encoding little-endian values. */
class ByteSink {
  readonly #parts: Buffer[] = [];
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(buffer: Buffer): void {
    this.#parts.push(buffer);
    this.#length += buffer.length;
  }

  u32(value: number): void {
    const buffer = Buffer.alloc(4);
    buffer.writeUInt32LE(value);
    this.push(buffer);
  }

  i32(value: number): void {
    const buffer = Buffer.alloc(4);
    buffer.writeInt32LE(value);
    this.push(buffer);
  }

  u64(value: number): void {
    const buffer = Buffer.alloc(8);
    buffer.writeBigUInt64LE(BigInt(value));
    this.push(buffer);
  }

  f32(value: number): void {
    const buffer = Buffer.alloc(4);
    buffer.writeFloatLE(value);
    this.push(buffer);
  }

  string(value: string): void {
    const bytes = Buffer.from(value, 'utf8');
    this.u64(bytes.length);
    this.push(bytes);
  }

  padTo(alignment: number): void {
    const remainder = this.#length % alignment;
    if (remainder !== 0) this.push(Buffer.alloc(alignment - remainder));
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.#parts, this.#length);
  }
}

function writeScalar(sink: ByteSink, type: 'uint32' | 'int32' | 'float32' | 'string', value: number | string): void {
  if (type === 'string') sink.string(value as string);
  else if (type === 'uint32') sink.u32(value as number);
  else if (type === 'int32') sink.i32(value as number);
  else sink.f32(value as number);
}

function writeValue(sink: ByteSink, entry: GgufMetadataValue): void {
  sink.u32(GgufValueType[entry.type]);
  if (entry.type === 'bool') {
    sink.push(Buffer.from([entry.value ? 1 : 0]));
  } else if (entry.type === 'array') {
    sink.u32(GgufValueType[entry.itemType]);
    sink.u64(entry.value.length);
    for (const item of entry.value) writeScalar(sink, entry.itemType, item);
  } else {
    writeScalar(sink, entry.type, entry.value);
  }
}

/** Encodes a complete GGUF v3 file; `alignment` must match `general.alignment` when set. */
export function encodeGgufFile(metadata: ReadonlyMap<string, GgufMetadataValue>, tensors: readonly GgufTensor[], alignment = 32): Buffer {
  const sink = new ByteSink();
  sink.u32(GGUF_MAGIC);
  sink.u32(3);
  sink.u64(tensors.length);
  sink.u64(metadata.size);
  for (const [key, entry] of metadata) {
    sink.string(key);
    writeValue(sink, entry);
  }
  let offset = 0;
  for (const tensor of tensors) {
    const elements = tensor.dimensions.reduce((product, dimension) => product * dimension, 1);
    if (elements !== tensor.data.length) throw new Error(`tensor ${tensor.name}: ${tensor.data.length} values for ${elements} elements`);
    sink.string(tensor.name);
    sink.u32(tensor.dimensions.length);
    for (const dimension of tensor.dimensions) sink.u64(dimension);
    sink.u32(GGML_TYPE_F32);
    sink.u64(offset);
    offset += Math.ceil((elements * 4) / alignment) * alignment;
  }
  sink.padTo(alignment);
  for (const tensor of tensors) {
    sink.push(Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
    sink.padTo(alignment);
  }
  return sink.toBuffer();
}
