/**
 * The task calls of createCocoon: `summarize` and `translate` build the chat messages here with the
 * network's prompt templates (the same ones the client runner's `/v1/summarize` and `/v1/translate`
 * use) and send them end to end as one chat completion, so the runner never sees the text;
 * `transcribe` seals the multipart/form-data upload itself to `/v1/audio/transcriptions` (the worker
 * validates and serves it like a plain one). Without a `model`, the cheapest text (or speech-to-text)
 * model of `models.list` is used. Each result is `{ text, model, receipt }`.
 */
import { CocoonError, e2eModelBaseName, summarizeMessages, summaryMaxTokens, taskAnswerText, translateMessages, translationMaxTokens } from '@cocoon/protocol/browser';
import type { TaskChatMessage } from '@cocoon/protocol/browser';
import { CocoonRequestError, errorFromAnswer, toCocoonRequestError } from './cocoon-request-error.ts';
import type { CocoonClient } from './cocoon-client.ts';
import { linkedController, readWholeAnswer } from './read-whole-answer.ts';
import { E2E_REQUEST_DEFAULTS } from './e2e-inference-request.ts';
import { encodeMultipartForm } from './multipart-form-body.ts';
import type { MultipartPart } from './multipart-form-body.ts';
import { chooseAudioModel, chooseTextModel } from './model-choice.ts';
import type { ChatCompletion, CocoonRequestFields, CocoonRequestOptions, CompletionUsage } from './openai-shapes.ts';
import type { CocoonReceiptSummary } from './receipt-summary.ts';

/** Longest text a task takes (the client runner's task routes take as much). */
export const MAX_TASK_TEXT_CHARS = 100_000;
export const MAX_SUMMARY_WORDS = 2000;
export const MAX_LANGUAGE_CHARS = 64;
export const TRANSCRIPTIONS_PATH = '/v1/audio/transcriptions';

export interface SummarizeParams extends CocoonRequestFields {
  text: string;
  model?: string;
  /** At most this many words (1 to 2000). */
  maxWords?: number;
  /** The summary's language (default: the text's). */
  language?: string;
}

export interface TranslateParams extends CocoonRequestFields {
  text: string;
  /** The target language ("French", "de", …). */
  to: string;
  /** The source language (default: detected by the model). */
  from?: string;
  model?: string;
}

export interface TranscribeParams extends Omit<CocoonRequestFields, 'max_coefficient'> {
  /** The audio (a Blob/File in browsers and Node, or its bytes). */
  file: Blob | Uint8Array;
  /** Default: the File's name, else "audio". */
  filename?: string;
  model?: string;
  /** The spoken language (ISO 639-1, e.g. "en"), when known. */
  language?: string;
  /** Text to guide the model's style or vocabulary. */
  prompt?: string;
  temperature?: number;
  max_coefficient?: number;
}

export interface TaskResult {
  text: string;
  /** The model that answered (the one named, or the one chosen). */
  model: string;
  receipt: CocoonReceiptSummary;
  /** The model stopped at its token budget (summaries, translations). */
  truncated: boolean;
  usage: CompletionUsage | undefined;
}

const invalid = (param: string, message: string): CocoonError => new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', `'${param}' ${message}`, { param });

function readText(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid('text', 'must be a non-empty string');
  if (value.length > MAX_TASK_TEXT_CHARS) throw new CocoonError('CCN_ERR_HTTP_BODY_TOO_LARGE', `'text' is longer than ${MAX_TASK_TEXT_CHARS} characters`, { param: 'text' });
  return value;
}

function readLanguage(value: unknown, param: string, required: boolean): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw invalid(param, 'must be a non-empty string');
  if (value.length > MAX_LANGUAGE_CHARS) throw invalid(param, `must be at most ${MAX_LANGUAGE_CHARS} characters`);
  return value;
}

function readModel(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw invalid('model', 'must be a non-empty string');
  return value;
}

/** The COCOON request fields of a task, passed on as they are (readE2eInferenceRequest checks them). */
function requestFields(params: CocoonRequestFields): CocoonRequestFields {
  return { ...(params.max_coefficient !== undefined ? { max_coefficient: params.max_coefficient } : {}), ...(params.timeout !== undefined ? { timeout: params.timeout } : {}) };
}

export class CocoonTasks {
  constructor(private readonly client: CocoonClient) {}

  async summarize(params: SummarizeParams, options: CocoonRequestOptions = {}): Promise<TaskResult> {
    return this.guard(async () => {
      const text = readText(params?.text);
      const maxWords = params.maxWords;
      if (maxWords !== undefined && (!Number.isInteger(maxWords) || maxWords < 1 || maxWords > MAX_SUMMARY_WORDS)) throw invalid('maxWords', `must be an integer in [1, ${MAX_SUMMARY_WORDS}]`);
      const language = readLanguage(params.language, 'language', false);
      const model = readModel(params.model) ?? await this.defaultModel('text', options);
      const messages = summarizeMessages(this.client.templates, text, maxWords, language);
      return this.chatTask(model, messages, summaryMaxTokens(maxWords, E2E_REQUEST_DEFAULTS.maxTokens), params, options);
    });
  }

  async translate(params: TranslateParams, options: CocoonRequestOptions = {}): Promise<TaskResult> {
    return this.guard(async () => {
      const text = readText(params?.text);
      const to = readLanguage(params.to, 'to', true)!;
      const from = readLanguage(params.from, 'from', false);
      const model = readModel(params.model) ?? await this.defaultModel('text', options);
      const messages = translateMessages(this.client.templates, text, to, from);
      return this.chatTask(model, messages, translationMaxTokens(text, E2E_REQUEST_DEFAULTS.maxTokens), params, options);
    });
  }

  async transcribe(params: TranscribeParams, options: CocoonRequestOptions = {}): Promise<TaskResult> {
    const controller = linkedController(options.signal);
    let requestId: string | undefined;
    return this.guard(async () => {
      const file = params?.file;
      if (!(file instanceof Uint8Array) && !(typeof Blob !== 'undefined' && file instanceof Blob)) throw invalid('file', 'must be a Blob, a File or a Uint8Array');
      const data = file instanceof Uint8Array ? file : new Uint8Array(await file.arrayBuffer());
      if (data.length === 0) throw invalid('file', 'is empty');
      const named = typeof File !== 'undefined' && file instanceof File ? file.name : undefined;
      const filename = params.filename ?? (named || 'audio');
      const contentType = (file instanceof Blob && file.type) || 'application/octet-stream';
      const language = readLanguage(params.language, 'language', false);
      if (params.prompt !== undefined && typeof params.prompt !== 'string') throw invalid('prompt', 'must be a string');
      if (params.temperature !== undefined && (typeof params.temperature !== 'number' || !(params.temperature >= 0 && params.temperature <= 1))) throw invalid('temperature', 'must be a number in [0, 1]');
      const model = readModel(params.model) ?? await this.defaultModel('audio', options);
      const parts: MultipartPart[] = [
        { name: 'file', data, filename, contentType },
        { name: 'model', value: e2eModelBaseName(model) },
        { name: 'response_format', value: 'json' },
        ...(language !== undefined ? [{ name: 'language', value: language }] : []),
        ...(params.prompt !== undefined ? [{ name: 'prompt', value: params.prompt }] : []),
        ...(params.temperature !== undefined ? [{ name: 'temperature', value: String(params.temperature) }] : []),
      ];
      const form = encodeMultipartForm(parts);
      const timeoutMs = params.timeout === undefined ? E2E_REQUEST_DEFAULTS.timeoutMs : Math.round(params.timeout * 1000);
      if (!(timeoutMs > 0 && timeoutMs <= 86_400_000)) throw invalid('timeout', 'must be a positive number of seconds, at most 86400');
      const maxCoefficient = params.max_coefficient ?? E2E_REQUEST_DEFAULTS.maxCoefficient;
      if (!Number.isInteger(maxCoefficient) || maxCoefficient < 0) throw invalid('max_coefficient', 'must be a non-negative integer');
      const answer = await this.client.open({
        path: TRANSCRIPTIONS_PATH, contentType: form.contentType, body: form.body, model, maxTokens: E2E_REQUEST_DEFAULTS.maxTokens, maxCoefficient, timeoutMs, signal: controller.signal,
      });
      requestId = answer.requestId;
      const { text, receipt } = await readWholeAnswer(answer);
      if (answer.status >= 400) throw errorFromAnswer('worker', answer.status, text, requestId);
      const body = parseObject(text, requestId);
      if (typeof body.text !== 'string') throw new CocoonRequestError('CCN_ERR_ENGINE_FAILED', 'the transcription answer has no text', { requestId });
      return { text: body.text.trim(), model, receipt, truncated: false, usage: usageOf(body) };
    }, () => requestId);
  }

  private async chatTask(model: string, messages: TaskChatMessage[], maxTokens: number, params: CocoonRequestFields, options: CocoonRequestOptions): Promise<TaskResult> {
    const answer = await this.client.inference<ChatCompletion, never>('/v1/chat/completions', { model, messages, max_tokens: maxTokens, ...requestFields(params) }, options);
    if (!('choices' in answer)) throw new CocoonRequestError('CCN_ERR_INTERNAL', 'a task answer came as a stream');
    const choice = Array.isArray(answer.choices) ? answer.choices[0] : undefined;
    const content = choice?.message?.content;
    if (typeof content !== 'string') throw new CocoonRequestError('CCN_ERR_ENGINE_FAILED', 'the model answered without a text message', { requestId: answer.receipt.request_id });
    return { text: taskAnswerText(content), model, receipt: answer.receipt, truncated: choice?.finish_reason === 'length', usage: answer.usage };
  }

  private async defaultModel(kind: 'text' | 'audio', options: CocoonRequestOptions): Promise<string> {
    const { data } = await this.client.listModels(options);
    return kind === 'text' ? chooseTextModel(data) : chooseAudioModel(data);
  }

  private async guard<T>(run: () => Promise<T>, requestId: () => string | undefined = () => undefined): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toCocoonRequestError(error, 'CCN_ERR_INTERNAL', requestId());
    }
  }
}

function parseObject(text: string, requestId: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // answered below
  }
  throw new CocoonRequestError('CCN_ERR_ENGINE_FAILED', `the worker's answer is not a JSON object: ${text.slice(0, 80)}`, { requestId });
}

function usageOf(body: Record<string, unknown>): CompletionUsage | undefined {
  const usage = body.usage;
  return typeof usage === 'object' && usage !== null ? usage as CompletionUsage : undefined;
}
