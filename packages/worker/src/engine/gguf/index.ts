/** Public API of the tiny GGUF writer (random-weights llama model for offline tests and `cocoon dev`). */
export { writeTinyGguf, encodeTinyGguf, tinyGgufLabelOf, TINY_GGUF_LABEL } from './tiny-gguf-writer.ts';
export type { TinyGgufOptions, TinyGgufInfo } from './tiny-gguf-writer.ts';
export { encodeGgufFile } from './gguf-file-encoder.ts';
export type { GgufMetadataValue, GgufTensor } from './gguf-file-encoder.ts';
