/**
 * Response shapes shared by the engines that run inside the worker process (embedded llama.cpp and
 * whisper.cpp): a JSON answer as a one-chunk body, and the headers of JSON and SSE answers.
 */
import type { EngineBody, EngineResponse } from './inference-engine.ts';

export const JSON_HEADERS = { 'content-type': 'application/json' };
export const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };

/** A body that yields one buffer. */
export function bufferBody(buffer: Buffer): EngineBody {
  return {
    async *[Symbol.asyncIterator]() {
      yield buffer;
    },
    forEach: async (onChunk) => onChunk(buffer),
  };
}

/** `value` as a JSON answer with `status`. */
export function jsonResponse(status: number, value: object): EngineResponse {
  return { status, headers: { ...JSON_HEADERS }, body: bufferBody(Buffer.from(JSON.stringify(value), 'utf8')) };
}
