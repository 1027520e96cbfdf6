/**
 * `createCocoon({ baseURL, policy })`: the typed SDK over a COCOON client runner used as a blind relay.
 * `chat.completions.create` and `completions.create` (streamed or not), `models.list`, `summarize`,
 * `translate`, `transcribe` and `attestation.verify`; every inference call is sealed on this device to
 * workers whose attestation this device verified (the policy's root, or an injected verifier) and
 * every answer comes with its verified receipt. Failures are CocoonRequestErrors (CCN_ERR_* `code`,
 * `status`, `retryable`). `fetch` is a cocoonFetch sharing the same verified evidence (for the openai
 * client). Browser-safe.
 */
import { CocoonError, resolvePromptTemplates } from '@cocoon/protocol/browser';
import type { TaskPromptTemplates } from '@cocoon/protocol/browser';
import { attestationVerdict } from './attestation-verdict.ts';
import type { AttestationVerdict } from './attestation-verdict.ts';
import { fetchThrough } from './cocoon-fetch.ts';
import { CocoonRequestError, errorFromAnswer, toCocoonRequestError } from './cocoon-request-error.ts';
import { CocoonStream } from './cocoon-stream.ts';
import { readE2eInferenceRequest } from './e2e-inference-request.ts';
import { E2eTransport } from './e2e-transport.ts';
import type { E2eRequestInput, E2eTransportOptions, OpenedE2eAnswer } from './e2e-transport.ts';
import { linkedController, readWholeAnswer } from './read-whole-answer.ts';
import type { CocoonReceiptSummary } from './receipt-summary.ts';
import { CocoonTasks } from './cocoon-tasks.ts';
import type { SummarizeParams, TaskResult, TranscribeParams, TranslateParams } from './cocoon-tasks.ts';
import type {
  ChatCompletion, ChatCompletionChunk, ChatCompletionCreateParams, ChatCompletionCreateParamsNonStreaming, ChatCompletionCreateParamsStreaming, CocoonModel,
  CocoonModelsPage, CocoonRequestOptions, Completion, CompletionCreateParams, CompletionCreateParamsNonStreaming, CompletionCreateParamsStreaming,
} from './openai-shapes.ts';

export interface CocoonOptions extends E2eTransportOptions {
  /** Overrides of the summarize/translate prompt templates (default: the ones the client runner's task routes use). */
  templates?: Partial<TaskPromptTemplates>;
}

export type CocoonChatCompletion = ChatCompletion & { receipt: CocoonReceiptSummary };
export type CocoonCompletion = Completion & { receipt: CocoonReceiptSummary };

export interface CocoonChatCompletions {
  create(body: ChatCompletionCreateParamsStreaming, options?: CocoonRequestOptions): Promise<CocoonStream<ChatCompletionChunk>>;
  create(body: ChatCompletionCreateParamsNonStreaming, options?: CocoonRequestOptions): Promise<CocoonChatCompletion>;
  create(body: ChatCompletionCreateParams, options?: CocoonRequestOptions): Promise<CocoonStream<ChatCompletionChunk> | CocoonChatCompletion>;
}

export interface CocoonCompletions {
  create(body: CompletionCreateParamsStreaming, options?: CocoonRequestOptions): Promise<CocoonStream<Completion>>;
  create(body: CompletionCreateParamsNonStreaming, options?: CocoonRequestOptions): Promise<CocoonCompletion>;
  create(body: CompletionCreateParams, options?: CocoonRequestOptions): Promise<CocoonStream<Completion> | CocoonCompletion>;
}

export interface Cocoon {
  /** The client runner's root URL. */
  readonly baseURL: string;
  readonly chat: { readonly completions: CocoonChatCompletions };
  readonly completions: CocoonCompletions;
  readonly models: { list(options?: CocoonRequestOptions): Promise<CocoonModelsPage> };
  summarize(params: SummarizeParams, options?: CocoonRequestOptions): Promise<TaskResult>;
  translate(params: TranslateParams, options?: CocoonRequestOptions): Promise<TaskResult>;
  transcribe(params: TranscribeParams, options?: CocoonRequestOptions): Promise<TaskResult>;
  readonly attestation: { verify(model: string, options?: CocoonRequestOptions): Promise<AttestationVerdict> };
  /** A cocoonFetch over the same transport (for `new OpenAI({ fetch: cocoon.fetch })`); honours policy.requireE2e. */
  readonly fetch: typeof fetch;
}

export class CocoonClient {
  readonly transport: E2eTransport;
  readonly templates: TaskPromptTemplates;

  constructor(options: CocoonOptions) {
    this.transport = new E2eTransport(options);
    this.templates = resolvePromptTemplates(options.templates ?? {});
  }

  /** Seals one request and opens the answer's head; relay refusals and a missing e2e path are thrown. */
  async open(input: E2eRequestInput): Promise<OpenedE2eAnswer> {
    const sent = await this.transport.send(input);
    if (sent.kind === 'unavailable') throw new CocoonRequestError('CCN_ERR_E2E_UNAVAILABLE', `end-to-end encryption is required, but ${sent.reason}`);
    if (sent.kind === 'refused') throw errorFromAnswer('relay', sent.refusal.status, sent.refusal.text, sent.refusal.requestId);
    return sent.answer;
  }

  /** A JSON inference request (chat or legacy completion), streamed or not. */
  async inference<Whole, Chunk>(path: '/v1/chat/completions' | '/v1/completions', body: object, options: CocoonRequestOptions = {}): Promise<(Whole & { receipt: CocoonReceiptSummary }) | CocoonStream<Chunk>> {
    const controller = linkedController(options.signal);
    let requestId: string | undefined;
    try {
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', 'the request must be an object');
      const request = readE2eInferenceRequest(JSON.stringify(body));
      const answer = await this.open({
        path, contentType: 'application/json', body: request.body, model: request.model, maxTokens: request.maxTokens, maxCoefficient: request.maxCoefficient,
        timeoutMs: request.timeoutMs, signal: controller.signal,
      });
      requestId = answer.requestId;
      const isEventStream = /text\/event-stream/i.test(headerOf(answer, 'content-type') ?? '');
      if (request.stream && answer.status < 400 && isEventStream) return new CocoonStream<Chunk>({ answer, controller });
      const { text, receipt } = await readWholeAnswer(answer);
      if (answer.status >= 400) throw errorFromAnswer('worker', answer.status, text, requestId);
      if (request.stream) throw new CocoonRequestError('CCN_ERR_ENGINE_FAILED', `a stream was asked for, but the worker answered ${headerOf(answer, 'content-type') ?? 'without a content type'}`, { requestId });
      return { ...parseAnswerJson<Whole>(text, requestId), receipt };
    } catch (error) {
      throw toCocoonRequestError(error, 'CCN_ERR_INTERNAL', requestId);
    }
  }

  async listModels(options: CocoonRequestOptions = {}): Promise<CocoonModelsPage> {
    const { transport } = this;
    let response: Response;
    try {
      response = await transport.fetch(`${transport.base}/v1/models`, { headers: { accept: 'application/json' }, ...(options.signal ? { signal: options.signal } : {}) });
    } catch (error) {
      if (options.signal?.aborted) throw toCocoonRequestError(error);
      throw new CocoonRequestError('CCN_ERR_E2E_UNAVAILABLE', `no client runner answers at ${transport.base} (${error instanceof Error ? error.message : String(error)})`, { cause: error });
    }
    const text = await response.text().catch((error: unknown) => { throw toCocoonRequestError(error); });
    if (!response.ok) throw errorFromAnswer('relay', response.status, text);
    return readModelsPage(text);
  }

  async verifyAttestation(model: string, options: CocoonRequestOptions = {}): Promise<AttestationVerdict> {
    try {
      if (typeof model !== 'string' || model === '') throw new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', "'model' must be a non-empty string", { param: 'model' });
      const verified = await this.transport.verifyWorkers(model, options.signal);
      if (verified.listing.workers.length === 0 && verified.listing.malformed.length === 0) {
        throw new CocoonError('CCN_ERR_E2E_UNAVAILABLE', `nothing to verify: ${verified.listing.unavailable ?? `no end-to-end worker serves ${model}`}`);
      }
      return attestationVerdict(model, verified);
    } catch (error) {
      throw toCocoonRequestError(error);
    }
  }
}

function headerOf(answer: OpenedE2eAnswer, name: string): string | undefined {
  return answer.headers.find(([header]) => header.toLowerCase() === name)?.[1];
}

function parseAnswerJson<T>(text: string, requestId: string | undefined): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CocoonRequestError('CCN_ERR_ENGINE_FAILED', `the worker's answer is not JSON: ${text.slice(0, 80)}`, { ...(requestId ? { requestId } : {}) });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CocoonRequestError('CCN_ERR_ENGINE_FAILED', "the worker's answer is not a JSON object", { ...(requestId ? { requestId } : {}) });
  return value as T;
}

/** The runner's `/v1/models` answer, checked for the fields the SDK reads. */
function readModelsPage(text: string): CocoonModelsPage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CocoonRequestError('CCN_ERR_PROTOCOL_DECODE', "the client runner's /v1/models answer is not JSON");
  }
  const list = (value as { data?: unknown } | null)?.data;
  if (!Array.isArray(list)) throw new CocoonRequestError('CCN_ERR_PROTOCOL_DECODE', "the client runner's /v1/models answer has no data list");
  const data: CocoonModel[] = [];
  for (const entry of list as Array<Record<string, unknown>>) {
    if (typeof entry?.id !== 'string' || entry.id === '') continue;
    data.push({
      id: entry.id, object: 'model', created: typeof entry.created === 'number' ? entry.created : 0, owned_by: typeof entry.owned_by === 'string' ? entry.owned_by : 'cocoon',
      workers: Array.isArray(entry.workers) ? (entry.workers as CocoonModel['workers']).filter((worker) => typeof worker === 'object' && worker !== null) : [],
    });
  }
  return { object: 'list', data };
}

export function createCocoon(options: CocoonOptions): Cocoon {
  const client = new CocoonClient(options);
  const tasks = new CocoonTasks(client);
  const chatCreate = ((body: ChatCompletionCreateParams, callOptions?: CocoonRequestOptions) => client.inference<ChatCompletion, ChatCompletionChunk>('/v1/chat/completions', body, callOptions)) as CocoonChatCompletions['create'];
  const completionCreate = ((body: CompletionCreateParams, callOptions?: CocoonRequestOptions) => client.inference<Completion, Completion>('/v1/completions', body, callOptions)) as CocoonCompletions['create'];
  return {
    baseURL: client.transport.base,
    chat: { completions: { create: chatCreate } },
    completions: { create: completionCreate },
    models: { list: (callOptions) => client.listModels(callOptions) },
    summarize: (params, callOptions) => tasks.summarize(params, callOptions),
    translate: (params, callOptions) => tasks.translate(params, callOptions),
    transcribe: (params, callOptions) => tasks.transcribe(params, callOptions),
    attestation: { verify: (model, callOptions) => client.verifyAttestation(model, callOptions) },
    fetch: fetchThrough(client.transport, client.transport.requireE2e),
  };
}
