/**
 * InferenceEngine backed by embedded llama.cpp (node-llama-cpp): answers the worker's
 * OpenAI-style HTTP requests in process — POST /v1/chat/completions and /v1/completions
 * (JSON or SSE), GET /v1/models, GET /health — with real token usage. Concurrency is the
 * context's sequence count; more requests wait for a free sequence.
 */
import { randomBytes } from 'node:crypto';
import type { LlamaContextSequence } from 'node-llama-cpp';
import type { Logger } from '@cocoon/protocol';
import { EngineRequestDeadline } from '../engine-request-deadline.ts';
import type { EngineBody, EngineHealth, EngineRequest, EngineResponse, InferenceEngine } from '../inference-engine.ts';
import { loadLlamaRuntime } from './llama-runtime-loader.ts';
import type { LlamaGpuChoice, LlamaRuntime } from './llama-runtime-loader.ts';
import { LlamaSequencePool } from './llama-sequence-pool.ts';
import { LlamaPromptRenderer } from './llama-prompt-renderer.ts';
import type { LlamaChatTemplate } from './llama-prompt-renderer.ts';
import { LlamaRequestError, parseLlamaRequest } from './llama-request-parser.ts';
import type { LlamaRequestKind } from './llama-request-parser.ts';
import { startLlamaGeneration } from './llama-generation.ts';
import type { LlamaGenerationPlan, LlamaGenerationResult } from './llama-generation.ts';
import { SseAnswerWriter, completionObject, errorObject } from './llama-openai-answers.ts';
import type { AnswerIdentity } from './llama-openai-answers.ts';
import { LlamaEngineStats } from './llama-engine-stats.ts';
import { tinyGgufLabelOf } from '../gguf/tiny-gguf-writer.ts';
import { AUDIO_TRANSCRIPTIONS_ENGINE_PATH, audioTranscriptionRefusal } from '../audio-transcription-refusal.ts';
import type { LlamaEngineInfo, LlamaEngineStatsSnapshot } from './llama-engine-stats.ts';

export interface LlamaEngineOptions {
  modelPath: string;
  /** The served model name (`/v1/models` id, `model` of answers); requests naming another model get 404. */
  modelName: string;
  /** 'auto' (default): CUDA or Vulkan where available, else CPU; false: CPU only. */
  gpu?: LlamaGpuChoice;
  /** Decoding threads; use 1 in CI and on small shared machines. */
  threads?: number;
  /** Tokens per sequence (default min(2048, the model's trained context)). */
  contextSize?: number;
  /** Parallel sequences = concurrent generations (default 4). */
  sequences?: number;
  /** 'model': the GGUF's chat template; 'plain': a plain fallback. Default: 'model' when the GGUF has one. */
  chatTemplate?: LlamaChatTemplate;
  /** Shown in logs, /v1/models and stats; default: TINY_GGUF_LABEL for a generated random-weights GGUF, else none. */
  label?: string;
  logger?: Logger;
  /** Clock for `created` (ms since epoch); default Date.now. */
  now?: () => number;
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };

function bufferBody(buffer: Buffer): EngineBody {
  return {
    async *[Symbol.asyncIterator]() {
      yield buffer;
    },
    forEach: async (onChunk) => onChunk(buffer),
  };
}

function jsonResponse(status: number, value: object): EngineResponse {
  return { status, headers: { ...JSON_HEADERS }, body: bufferBody(Buffer.from(JSON.stringify(value), 'utf8')) };
}

const errorResponse = (error: LlamaRequestError): EngineResponse =>
  jsonResponse(error.status, errorObject(error.message, error.code, error.param, error.status === 404 ? 'not_found_error' : 'invalid_request_error'));

interface PreparedRequest {
  identity: AnswerIdentity;
  plan: LlamaGenerationPlan;
  stream: boolean;
  includeUsage: boolean;
}

export class LlamaEngine implements InferenceEngine {
  readonly #runtime: LlamaRuntime;
  readonly #options: LlamaEngineOptions;
  readonly #pool: LlamaSequencePool;
  readonly #renderer: LlamaPromptRenderer;
  readonly #stats: LlamaEngineStats;
  readonly #now: () => number;
  readonly #label: string | undefined;
  #closed: Promise<void> | undefined;

  private constructor(runtime: LlamaRuntime, options: LlamaEngineOptions) {
    this.#runtime = runtime;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#label = options.label ?? tinyGgufLabelOf(runtime.model.fileInfo.metadata as { general?: { description?: string } });
    const sequences: LlamaContextSequence[] = [];
    while (runtime.context.sequencesLeft > 0) sequences.push(runtime.context.getSequence());
    this.#pool = new LlamaSequencePool(sequences);
    this.#renderer = new LlamaPromptRenderer(runtime.model, options.chatTemplate);
    this.#stats = new LlamaEngineStats({
      engine: 'llama',
      modelName: options.modelName,
      modelPath: options.modelPath,
      label: this.#label ?? null,
      gpu: runtime.gpu,
      threads: options.threads ?? null,
      contextSize: runtime.context.contextSize,
      sequences: sequences.length,
      chatWrapper: this.#renderer.chatWrapperName,
      loadMs: runtime.loadMs,
    });
  }

  /** Loads the GGUF model and creates the context; throws CCN_ERR_ENGINE_UNAVAILABLE on failure. */
  static async load(options: LlamaEngineOptions): Promise<LlamaEngine> {
    const runtime = await loadLlamaRuntime(options);
    const engine = new LlamaEngine(runtime, options);
    options.logger?.info('llama engine ready', { ...engine.info });
    return engine;
  }

  get info(): LlamaEngineInfo {
    return this.#stats.info;
  }

  /** Counters for /jsonstats: requests, tokens, tokens/s, busy and waiting sequences. */
  stats(): LlamaEngineStatsSnapshot {
    return this.#stats.snapshot(this.#pool.busy, this.#pool.waiting);
  }

  async forward(request: EngineRequest): Promise<EngineResponse> {
    const path = request.path.split('?')[0] ?? '';
    const method = request.method.toUpperCase();
    const kind: LlamaRequestKind | undefined = path === '/v1/chat/completions' ? 'chat' : path === '/v1/completions' ? 'completion' : undefined;
    if (kind !== undefined) {
      if (method !== 'POST') return errorResponse(new LlamaRequestError(405, 'method not allowed', 'method_not_allowed'));
      return this.#complete(request, kind);
    }
    if (path === AUDIO_TRANSCRIPTIONS_ENGINE_PATH) {
      const refusal = audioTranscriptionRefusal('the embedded llama.cpp engine');
      return jsonResponse(refusal.status, refusal.body);
    }
    if (method === 'GET' && path === '/v1/models') return jsonResponse(200, this.#modelList());
    if (method === 'GET' && path === '/health') return jsonResponse(200, { status: this.#closed === undefined ? 'ok' : 'closed' });
    return errorResponse(new LlamaRequestError(404, `no such endpoint: ${method} ${path}`, 'not_found'));
  }

  async health(): Promise<EngineHealth> {
    return this.#closed === undefined ? { ok: true, models: [this.#options.modelName] } : { ok: false, models: [] };
  }

  /** Stops waiting requests and frees the context, model and runtime (so the process can exit). */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#pool.close();
      await this.#runtime.context.dispose();
      await this.#runtime.model.dispose();
      await this.#runtime.llama.dispose();
    })();
    return this.#closed;
  }

  #modelList(): object {
    const entry = {
      id: this.#options.modelName,
      object: 'model',
      created: Math.floor(this.#stats.createdAt / 1000),
      owned_by: 'cocoon-llama',
      max_model_len: this.#runtime.context.contextSize,
      ...(this.#label === undefined ? {} : { label: this.#label }),
    };
    return { object: 'list', data: [entry] };
  }

  #prepare(request: EngineRequest, kind: LlamaRequestKind): PreparedRequest {
    if (this.#closed !== undefined) throw new LlamaRequestError(503, 'llama engine is closed', 'engine_closed');
    const parsed = parseLlamaRequest(request.body, kind);
    if (parsed.model !== undefined && parsed.model !== this.#options.modelName) {
      throw new LlamaRequestError(404, `The model \`${parsed.model}\` does not exist.`, 'model_not_found', 'model');
    }
    const rendered = this.#renderer.render(parsed);
    const room = this.#runtime.context.contextSize - rendered.tokens.length;
    if (room <= 0) {
      throw new LlamaRequestError(400, `prompt is ${rendered.tokens.length} tokens, the context holds ${this.#runtime.context.contextSize}`, 'context_length_exceeded', 'messages');
    }
    const identity: AnswerIdentity = {
      id: `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${randomBytes(12).toString('hex')}`,
      model: this.#options.modelName,
      created: Math.floor(this.#now() / 1000),
      kind,
    };
    const plan: LlamaGenerationPlan = {
      promptTokens: rendered.tokens,
      stops: [...rendered.stops, ...parsed.stop],
      maxTokens: Math.min(parsed.maxTokens ?? room, room),
      temperature: parsed.temperature,
      topP: parsed.topP,
      seed: parsed.seed,
    };
    return { identity, plan, stream: parsed.stream, includeUsage: parsed.includeUsage };
  }

  async #complete(request: EngineRequest, kind: LlamaRequestKind): Promise<EngineResponse> {
    let prepared: PreparedRequest;
    try {
      prepared = this.#prepare(request, kind);
    } catch (error) {
      if (error instanceof LlamaRequestError) return errorResponse(error);
      throw error;
    }
    const deadline = new EngineRequestDeadline(request.timeoutMs, request.signal);
    if (prepared.stream) return { status: 200, headers: { ...SSE_HEADERS }, body: this.#streamBody(prepared, deadline) };
    try {
      const { text, result } = await this.#generateAll(prepared.plan, deadline.signal);
      return jsonResponse(200, completionObject(prepared.identity, text, result));
    } catch (error) {
      throw deadline.toError(error);
    } finally {
      deadline.dispose();
    }
  }

  async #generateAll(plan: LlamaGenerationPlan, signal: AbortSignal): Promise<{ text: string; result: LlamaGenerationResult }> {
    const sequence = await this.#pool.acquire(signal);
    const startedAt = performance.now();
    let finished: LlamaGenerationResult | undefined;
    try {
      const generation = startLlamaGeneration(this.#runtime.model, sequence, plan, signal);
      let text = '';
      for await (const piece of generation.pieces) text += piece;
      finished = generation.result;
      return { text, result: finished };
    } finally {
      this.#pool.release(sequence);
      this.#stats.record(finished, performance.now() - startedAt);
    }
  }

  /** The SSE body; it takes a sequence when first read and gives it back when done or abandoned. */
  #streamBody(prepared: PreparedRequest, deadline: EngineRequestDeadline): EngineBody {
    const pool = this.#pool;
    const model = this.#runtime.model;
    const stats = this.#stats;
    const writer = new SseAnswerWriter(prepared.identity);
    async function* events(): AsyncGenerator<Buffer> {
      let sequence: LlamaContextSequence | undefined;
      let finished: LlamaGenerationResult | undefined;
      const startedAt = performance.now();
      try {
        sequence = await pool.acquire(deadline.signal);
        const opening = writer.opening();
        if (opening !== undefined) yield opening;
        const generation = startLlamaGeneration(model, sequence, prepared.plan, deadline.signal);
        // for-await closes the generation (and its native token iterator) when this body is abandoned.
        for await (const piece of generation.pieces) yield writer.content(piece);
        finished = generation.result;
        yield writer.finish(finished);
        if (prepared.includeUsage) yield writer.usage(finished);
        yield writer.done();
      } catch (error) {
        throw deadline.toError(error);
      } finally {
        if (sequence !== undefined) {
          pool.release(sequence);
          stats.record(finished, performance.now() - startedAt);
        }
        deadline.dispose();
      }
    }
    return { [Symbol.asyncIterator]: () => events() };
  }
}
