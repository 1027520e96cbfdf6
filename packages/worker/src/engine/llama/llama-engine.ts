/**
 * InferenceEngine backed by embedded llama.cpp (node-llama-cpp): answers the worker's
 * OpenAI-style HTTP requests in process — POST /v1/chat/completions and /v1/completions
 * (JSON or SSE; tool calls, JSON-constrained output, n choices, logprobs), GET /v1/models,
 * GET /health — with real token usage. Concurrency is the context's sequence count; more
 * requests wait for a free sequence; the `n` choices of a request run one after the other on it.
 */
import { randomBytes } from 'node:crypto';
import type { LlamaContextSequence, Token } from 'node-llama-cpp';
import type { Logger } from '@cocoon/protocol';
import { EngineRequestDeadline } from '../engine-request-deadline.ts';
import { SSE_HEADERS, jsonResponse } from '../embedded-engine-response.ts';
import type { EngineBody, EngineHealth, EngineRequest, EngineResponse, InferenceEngine } from '../inference-engine.ts';
import { loadLlamaRuntime } from './llama-runtime-loader.ts';
import type { LlamaGpuChoice, LlamaRuntime } from './llama-runtime-loader.ts';
import { LlamaSequencePool } from './llama-sequence-pool.ts';
import { LlamaPromptRenderer } from './llama-prompt-renderer.ts';
import type { LlamaChatTemplate } from './llama-prompt-renderer.ts';
import { LlamaRequestError, parseLlamaRequest } from './llama-request-parser.ts';
import type { LlamaGenerationRequest, LlamaRequestKind } from './llama-request-parser.ts';
import { LlamaGenerationRun } from './llama-generation.ts';
import type { LlamaGenerationResult, LlamaSampling, TokenLogprob } from './llama-generation.ts';
import { generateChoice } from './llama-choice-generation.ts';
import type { ChoicePlan } from './llama-choice-generation.ts';
import { buildChoicePlan } from './llama-choice-plan.ts';
import { SseAnswerWriter, completionObject, errorObject } from './llama-openai-answers.ts';
import type { AnswerIdentity, ChoiceOutput } from './llama-openai-answers.ts';
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




function errorType(status: number): string {
  if (status === 404) return 'not_found_error';
  if (status >= 500) return 'service_unavailable';
  return 'invalid_request_error';
}

const errorResponse = (error: LlamaRequestError): EngineResponse =>
  jsonResponse(error.status, errorObject(error.message, error.code, error.param, errorType(error.status)));

interface PreparedRequest {
  identity: AnswerIdentity;
  promptTokens: Token[];
  maxTokens: number;
  choices: number;
  sampling: LlamaSampling;
  plan: ChoicePlan;
  /** Completions with `echo`: the prompt, sent before the answer. */
  echo: string;
  stream: boolean;
  includeUsage: boolean;
}

/** Sampling of choice `index`: a fixed seed moves on per choice so the choices differ. */
function samplingOf(request: LlamaGenerationRequest): LlamaSampling {
  return {
    temperature: request.temperature,
    topP: request.topP,
    seed: request.seed,
    logitBias: request.logitBias,
    presencePenalty: request.presencePenalty,
    frequencyPenalty: request.frequencyPenalty,
  };
}

const choiceSampling = (sampling: LlamaSampling, index: number): LlamaSampling =>
  index === 0 || sampling.seed === undefined ? sampling : { ...sampling, seed: sampling.seed + index };

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
      if (method !== 'POST') return errorResponse(new LlamaRequestError('CCN_ERR_HTTP_METHOD_NOT_ALLOWED', 'method not allowed'));
      return this.#complete(request, kind);
    }
    if (path === AUDIO_TRANSCRIPTIONS_ENGINE_PATH) {
      const refusal = audioTranscriptionRefusal('the embedded llama.cpp engine');
      return jsonResponse(refusal.status, refusal.body);
    }
    if (method === 'GET' && path === '/v1/models') return jsonResponse(200, this.#modelList());
    if (method === 'GET' && path === '/health') return jsonResponse(200, { status: this.#closed === undefined ? 'ok' : 'closed' });
    return errorResponse(new LlamaRequestError('CCN_ERR_HTTP_NOT_FOUND', `no such endpoint: ${method} ${path}`));
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

  async #prepare(request: EngineRequest, kind: LlamaRequestKind): Promise<PreparedRequest> {
    if (this.#closed !== undefined) throw new LlamaRequestError('CCN_ERR_ENGINE_UNAVAILABLE', 'llama engine is closed');
    const parsed = parseLlamaRequest(request.body, kind);
    if (parsed.model !== undefined && parsed.model !== this.#options.modelName) {
      throw new LlamaRequestError('CCN_ERR_ROUTE_UNKNOWN_MODEL', `The model \`${parsed.model}\` does not exist.`, 'model');
    }
    const rendered = this.#renderer.render(parsed);
    const room = this.#runtime.context.contextSize - rendered.tokens.length;
    if (room <= 0) {
      throw new LlamaRequestError('CCN_ERR_WORKER_INVALID_REQUEST', `prompt is ${rendered.tokens.length} tokens, the context holds ${this.#runtime.context.contextSize}`, kind === 'chat' ? 'messages' : 'prompt');
    }
    const identity: AnswerIdentity = {
      id: `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${randomBytes(12).toString('hex')}`,
      model: this.#options.modelName,
      created: Math.floor(this.#now() / 1000),
      kind,
    };
    const plan = await buildChoicePlan(this.#runtime.llama, this.#runtime.model, this.#renderer, parsed, rendered.stops);
    return {
      identity,
      promptTokens: rendered.tokens,
      maxTokens: Math.min(parsed.maxTokens ?? room, room),
      choices: parsed.choices,
      sampling: samplingOf(parsed),
      plan,
      echo: parsed.echo ? parsed.prompt : '',
      stream: parsed.stream,
      includeUsage: parsed.includeUsage,
    };
  }

  async #complete(request: EngineRequest, kind: LlamaRequestKind): Promise<EngineResponse> {
    let prepared: PreparedRequest;
    try {
      prepared = await this.#prepare(request, kind);
    } catch (error) {
      if (error instanceof LlamaRequestError) return errorResponse(error);
      throw error;
    }
    const deadline = new EngineRequestDeadline(request.timeoutMs, request.signal);
    if (prepared.stream) return { status: 200, headers: { ...SSE_HEADERS }, body: this.#streamBody(prepared, deadline) };
    try {
      const choices = await this.#generateAll(prepared, deadline.signal);
      return jsonResponse(200, completionObject(prepared.identity, choices, prepared.echo));
    } catch (error) {
      throw deadline.toError(error);
    } finally {
      deadline.dispose();
    }
  }

  #newRun(prepared: PreparedRequest, sequence: LlamaContextSequence, index: number, signal: AbortSignal): LlamaGenerationRun {
    return new LlamaGenerationRun(this.#runtime.model, sequence, prepared.promptTokens, prepared.maxTokens, choiceSampling(prepared.sampling, index), signal);
  }

  async #generateAll(prepared: PreparedRequest, signal: AbortSignal): Promise<ChoiceOutput[]> {
    const sequence = await this.#pool.acquire(signal);
    const startedAt = performance.now();
    const outputs: ChoiceOutput[] = [];
    let failed = false;
    try {
      for (let index = 0; index < prepared.choices; index++) {
        const run = this.#newRun(prepared, sequence, index, signal);
        const output: ChoiceOutput = { content: '', toolCall: undefined, logprobs: prepared.plan.logprobs === undefined ? undefined : [], result: run.result };
        for await (const event of generateChoice(run, prepared.plan)) {
          if (event.type === 'content') {
            output.content += event.text;
            if (event.logprobs !== undefined) output.logprobs?.push(...event.logprobs);
          } else if (event.type === 'tool_call') output.toolCall = { id: event.id, name: event.name, arguments: '' };
          else if (output.toolCall !== undefined) output.toolCall.arguments += event.text;
        }
        outputs.push(output);
      }
      return outputs;
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      this.#pool.release(sequence);
      this.#recordStats(failed ? undefined : outputs.map((output) => output.result), performance.now() - startedAt);
    }
  }

  #recordStats(results: LlamaGenerationResult[] | undefined, elapsedMs: number): void {
    if (results === undefined || results.length === 0) return this.#stats.record(undefined, elapsedMs);
    const completionTokens = results.reduce((sum, result) => sum + result.completionTokens, 0);
    const first = results[0] as LlamaGenerationResult;
    this.#stats.record({ ...first, completionTokens }, elapsedMs);
  }

  /** The SSE body; it takes a sequence when first read and gives it back when done or abandoned. */
  #streamBody(prepared: PreparedRequest, deadline: EngineRequestDeadline): EngineBody {
    const pool = this.#pool;
    const newRun = (sequence: LlamaContextSequence, index: number): LlamaGenerationRun => this.#newRun(prepared, sequence, index, deadline.signal);
    const recordStats = (results: LlamaGenerationResult[] | undefined, elapsedMs: number): void => this.#recordStats(results, elapsedMs);
    const writer = new SseAnswerWriter(prepared.identity);
    async function* events(): AsyncGenerator<Buffer> {
      let sequence: LlamaContextSequence | undefined;
      const results: LlamaGenerationResult[] = [];
      let finished = false;
      const startedAt = performance.now();
      try {
        sequence = await pool.acquire(deadline.signal);
        for (let index = 0; index < prepared.choices; index++) {
          const run = newRun(sequence, index);
          results.push(run.result);
          const opening = writer.opening(index, prepared.echo);
          if (opening !== undefined) yield opening;
          // for-await closes the generation (and its native token iterator) when this body is abandoned.
          for await (const event of generateChoice(run, prepared.plan)) {
            if (event.type === 'content') {
              if (event.text.length > 0 || event.logprobs !== undefined) yield writer.content(index, event.text, event.logprobs as TokenLogprob[] | undefined);
            } else if (event.type === 'tool_call') yield writer.toolCall(index, event.id, event.name);
            else yield writer.toolCallArguments(index, event.text);
          }
          yield writer.finish(index, run.result);
        }
        finished = true;
        if (prepared.includeUsage) yield writer.usage(results);
        yield writer.done();
      } catch (error) {
        throw deadline.toError(error);
      } finally {
        if (sequence !== undefined) {
          pool.release(sequence);
          recordStats(finished ? results : undefined, performance.now() - startedAt);
        }
        deadline.dispose();
      }
    }
    return { [Symbol.asyncIterator]: () => events() };
  }
}
