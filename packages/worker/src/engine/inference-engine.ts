/**
 * The worker's port to an inference engine: forward one OpenAI-style HTTP request and
 * stream the answer back, check health, close. Implemented by OpenAiHttpEngine (any
 * OpenAI-compatible server such as vLLM, SGLang or the TEST ENGINE) and by test fakes.
 */

export interface EngineRequest {
  /** Path (and query) on the engine, e.g. `/v1/chat/completions`. */
  path: string;
  method: string;
  headers: Record<string, string>;
  body: Buffer;
  /** Deadline for the whole exchange, response body included. */
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface EngineResponse {
  status: number;
  /** Lower-case header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** The response body, streamed as it arrives. Consume it or break out of it. */
  body: EngineBody;
}

export interface EngineHealth {
  ok: boolean;
  models: string[];
}

export interface InferenceEngine {
  forward(request: EngineRequest): Promise<EngineResponse>;
  health(signal?: AbortSignal): Promise<EngineHealth>;
  close(): Promise<void>;
}

/**
 * Backpressure of a body reader: while `open` is false the body is not read on (an HTTP body is
 * paused, so the engine's bytes wait in its socket; a generator is not pulled, so it stops).
 */
export interface ReadGate {
  readonly open: boolean;
  /** Resolves once `open` is true again (or the gate was closed for good). */
  whenOpen(): Promise<void>;
}

/**
 * A streamed response body. Engines may also offer `forEach`, which delivers chunks through
 * callbacks instead of one promise per chunk (cheaper on the hot path); see `readEngineBody`.
 * `forEach` honours the gate after every chunk.
 */
export interface EngineBody extends AsyncIterable<Buffer> {
  forEach?(onChunk: (chunk: Buffer) => void, gate?: ReadGate): Promise<void>;
}

/** Feeds every chunk of `body` to `onChunk`, waiting while `gate` is closed; resolves at the end, rejects on a body error. */
export async function readEngineBody(body: EngineBody, onChunk: (chunk: Buffer) => void, gate?: ReadGate): Promise<void> {
  if (body.forEach) return body.forEach(onChunk, gate);
  for await (const chunk of body) {
    onChunk(chunk);
    if (gate && !gate.open) await gate.whenOpen();
  }
}
