/**
 * InferenceEngine backed by embedded whisper.cpp (speech to text): answers the worker's
 * `POST /v1/audio/transcriptions` in process — JSON `{text, usage}` or, with `stream=true`, SSE
 * `transcription.chunk` events (vLLM's shape: one delta per decoded segment, a usage chunk when
 * asked, `[DONE]`) — plus GET /v1/models and /health. Usage is billed as whisper-usage.ts explains.
 * One transcription runs at a time (a whisper context decodes one stream; waiting jobs would each
 * pin a libuv thread); others wait in order. Chat and text completions get a clear 400 "does not
 * support", the mirror of what the llama engine answers to transcriptions.
 */
import { randomBytes } from 'node:crypto';
import { CocoonError, ERROR_TABLE, isCocoonError } from '@cocoon/protocol';
import type { Logger } from '@cocoon/protocol';
import { EngineRequestDeadline } from '../engine-request-deadline.ts';
import { SSE_HEADERS, jsonResponse } from '../embedded-engine-response.ts';
import type { EngineBody, EngineHealth, EngineRequest, EngineResponse, InferenceEngine } from '../inference-engine.ts';
import { AUDIO_TRANSCRIPTIONS_ENGINE_PATH } from '../audio-transcription-refusal.ts';
import { parseWhisperTranscriptionRequest } from './whisper-transcription-request.ts';
import type { WhisperTranscriptionRequest } from './whisper-transcription-request.ts';
import { streamedUsage, transcriptionUsage } from './whisper-usage.ts';
import type { WhisperRuntime, WhisperTranscript } from './whisper-runtime.ts';
import { WhisperJobQueue } from './whisper-job-queue.ts';

export interface WhisperEngineOptions {
  runtime: WhisperRuntime;
  /** The served model name (`/v1/models` id); requests naming another model get 404. */
  modelName: string;
  modelPath: string;
  logger?: Logger;
  /** Clock for `created` (ms since epoch); default Date.now. */
  now?: () => number;
}

export interface WhisperEngineStats {
  engine: 'whisper';
  model_path: string;
  gpu: string | false;
  threads: number;
  load_ms: number;
  requests: number;
  failures: number;
  audio_seconds: number;
  /** Seconds of audio transcribed per second of work (above 1: faster than real time). */
  realtime_factor: number | null;
  busy: boolean;
  waiting: number;
}

const COMPLETION_PATHS = new Set(['/v1/chat/completions', '/v1/completions']);



function errorResponse(error: CocoonError): EngineResponse {
  const status = ERROR_TABLE[error.code].http;
  const type = status === 404 ? 'not_found_error' : status >= 500 ? 'service_unavailable' : 'invalid_request_error';
  return jsonResponse(status, { error: { message: error.message, type, param: error.param ?? null, code: error.code } });
}

/** The answer to chat and text completions: this engine only transcribes. */
export function completionRefusal(path: string): { status: number; body: object } {
  return {
    status: 400,
    body: {
      error: {
        message: `the embedded whisper.cpp engine does not support ${path === '/v1/completions' ? 'text completions' : 'chat completions'}: it serves speech to text only (POST ${AUDIO_TRANSCRIPTIONS_ENGINE_PATH})`,
        type: 'invalid_request_error',
        param: 'url',
        code: 'CCN_ERR_WORKER_INVALID_REQUEST',
      },
    },
  };
}

const sse = (value: unknown): Buffer => Buffer.from(`data: ${typeof value === 'string' ? value : JSON.stringify(value)}\n\n`, 'utf8');

export class WhisperEngine implements InferenceEngine {
  readonly #options: WhisperEngineOptions;
  readonly #queue = new WhisperJobQueue();
  readonly #now: () => number;
  readonly #createdAt: number;
  #requests = 0;
  #failures = 0;
  #audioSeconds = 0;
  #workMs = 0;
  #closed: Promise<void> | undefined;

  constructor(options: WhisperEngineOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#createdAt = this.#now();
  }

  stats(): WhisperEngineStats {
    const info = this.#options.runtime.info;
    return {
      engine: 'whisper', model_path: this.#options.modelPath, gpu: info.gpu, threads: info.threads, load_ms: info.loadMs,
      requests: this.#requests, failures: this.#failures, audio_seconds: Math.round(this.#audioSeconds * 1000) / 1000,
      realtime_factor: this.#workMs > 0 ? Math.round((this.#audioSeconds * 1000 * 100) / this.#workMs) / 100 : null,
      busy: this.#queue.busy, waiting: this.#queue.waiting,
    };
  }

  async forward(request: EngineRequest): Promise<EngineResponse> {
    const path = request.path.split('?')[0] ?? '';
    const method = request.method.toUpperCase();
    if (path === AUDIO_TRANSCRIPTIONS_ENGINE_PATH) {
      if (method !== 'POST') return errorResponse(this.#error('CCN_ERR_HTTP_METHOD_NOT_ALLOWED', 'method not allowed', 'method'));
      return this.#transcribe(request);
    }
    if (COMPLETION_PATHS.has(path)) {
      const refusal = completionRefusal(path);
      return jsonResponse(refusal.status, refusal.body);
    }
    if (method === 'GET' && path === '/v1/models') return jsonResponse(200, this.#modelList());
    if (method === 'GET' && path === '/health') return jsonResponse(200, { status: this.#closed === undefined ? 'ok' : 'closed' });
    return errorResponse(this.#error('CCN_ERR_HTTP_NOT_FOUND', `no such endpoint: ${method} ${path}`));
  }

  async health(): Promise<EngineHealth> {
    return this.#closed === undefined ? { ok: true, models: [this.#options.modelName] } : { ok: false, models: [] };
  }

  /** Refuses new work, waits for the running transcription, frees the model. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      await this.#queue.drain();
      await this.#options.runtime.release();
    })();
    return this.#closed;
  }

  #error(code: CocoonError['code'], message: string, param?: string): CocoonError {
    return new CocoonError(code, message, param === undefined ? {} : { param });
  }

  #modelList(): object {
    const entry = { id: this.#options.modelName, object: 'model', created: Math.floor(this.#createdAt / 1000), owned_by: 'cocoon-whisper', max_model_len: this.#options.runtime.info.header.textContext };
    return { object: 'list', data: [entry] };
  }

  #parse(request: EngineRequest): WhisperTranscriptionRequest {
    if (this.#closed !== undefined) throw this.#error('CCN_ERR_ENGINE_UNAVAILABLE', 'whisper engine is closed');
    const parsed = parseWhisperTranscriptionRequest(request.headers['content-type'], request.body);
    if (parsed.model !== undefined && parsed.model !== this.#options.modelName) throw this.#error('CCN_ERR_ROUTE_UNKNOWN_MODEL', `The model \`${parsed.model}\` does not exist.`, 'model');
    return parsed;
  }

  async #transcribe(request: EngineRequest): Promise<EngineResponse> {
    let parsed: WhisperTranscriptionRequest;
    try {
      parsed = this.#parse(request);
    } catch (error) {
      if (isCocoonError(error)) return errorResponse(error);
      throw error;
    }
    const deadline = new EngineRequestDeadline(request.timeoutMs, request.signal);
    const identity = { id: `trsc-${randomBytes(12).toString('hex')}`, created: Math.floor(this.#now() / 1000), model: this.#options.modelName };
    if (parsed.stream) return { status: 200, headers: { ...SSE_HEADERS }, body: this.#streamBody(parsed, deadline, identity) };
    try {
      const transcript = await this.#run(parsed, deadline.signal);
      return jsonResponse(200, { text: transcript.text, usage: transcriptionUsage(parsed.audio.samples.length, parsed.prompt, transcript.text) });
    } catch (error) {
      throw deadline.toError(error);
    } finally {
      deadline.dispose();
    }
  }

  /** One queued transcription, counted in the stats. */
  async #run(parsed: WhisperTranscriptionRequest, signal: AbortSignal, onSegments?: (texts: string[]) => void): Promise<WhisperTranscript> {
    this.#requests += 1;
    try {
      return await this.#queue.run(async () => {
        const startedAt = performance.now();
        const transcript = await this.#options.runtime.transcribe(parsed.audio.samples, {
          ...(parsed.language === undefined ? {} : { language: parsed.language }),
          ...(parsed.prompt === '' ? {} : { prompt: parsed.prompt }),
          ...(parsed.temperature === undefined ? {} : { temperature: parsed.temperature }),
          ...(onSegments === undefined ? {} : { onSegments }),
        }, signal);
        this.#workMs += performance.now() - startedAt;
        this.#audioSeconds += parsed.audio.seconds;
        return transcript;
      }, signal);
    } catch (error) {
      this.#failures += 1;
      throw error;
    }
  }

  #streamBody(parsed: WhisperTranscriptionRequest, deadline: EngineRequestDeadline, identity: { id: string; created: number; model: string }): EngineBody {
    // Leaving the body early (the client went away) stops the transcription too.
    const abandoned = new AbortController();
    const signal = AbortSignal.any([deadline.signal, abandoned.signal]);
    const run = (onSegments: (texts: string[]) => void) => this.#run(parsed, signal, onSegments);
    const chunk = (choices: object[], extra: object = {}) => sse({ ...identity, object: 'transcription.chunk', choices, ...extra });
    async function* events(): AsyncGenerator<Buffer> {
      const pending: string[] = [];
      let wake: (() => void) | undefined;
      let settled = false;
      let completed = false;
      const job = run((texts) => {
        pending.push(...texts);
        wake?.();
      });
      const finished = job.then(() => undefined, () => undefined).finally(() => {
        settled = true;
        wake?.();
      });
      try {
        for (;;) {
          while (pending.length > 0) yield chunk([{ index: 0, delta: { content: pending.shift() }, finish_reason: null, stop_reason: null }]);
          if (settled) break;
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
        await finished;
        const transcript = await job;
        completed = true;
        yield chunk([{ index: 0, delta: {}, finish_reason: 'stop', stop_reason: null }]);
        if (parsed.includeUsage) yield chunk([], { usage: streamedUsage(transcriptionUsage(parsed.audio.samples.length, parsed.prompt, transcript.text)) });
        yield sse('[DONE]');
      } catch (error) {
        throw deadline.toError(error);
      } finally {
        if (!completed) abandoned.abort(new CocoonError('CCN_ERR_CANCELLED', 'the transcription stream was abandoned'));
        await finished;
        deadline.dispose();
      }
    }
    return { [Symbol.asyncIterator]: () => events() };
  }
}
