/**
 * `POST /v1/audio/transcriptions` (OpenAI multipart form): checks the upload (a `file` part, an
 * optional `model` field, `response_format` json only so the worker can bill the engine's
 * `usage`), picks an audio model when none is named (inserting the `model` field), forwards the
 * multipart body through the gateway and relays the answer. When the network has no worker for
 * it, answers `no worker serves audio transcription for model X`. An encrypted upload (§20: an
 * `is_encrypted` field, every field but `model` an `ENC_` value) is checked only for what stays in clear,
 * and its `receiver_public_key` field goes to the proxy as for JSON requests.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CocoonError, isCocoonError, parseEncryptionPublicKey } from '@cocoon/protocol';
import type { GatewayAnswer, InferencePath } from '../inference-gateway.ts';
import { answerResponseHeaders, forwardableRequestHeaders } from '../http-headers.ts';
import { readRequestBody } from '../request-body-reader.ts';
import { sendJson } from '../json-response.ts';
import { insertFormField, multipartBoundary, parseMultipartForm } from './multipart-form-parser.ts';
import type { MultipartForm, MultipartPart } from './multipart-form-parser.ts';
import { chooseAudioModel, listGatewayModels } from './telegram-model-choice.ts';
import { parseJsonObject, withGatewayCall } from './telegram-gateway-call.ts';
import type { GatewayExchange } from '../gateway-exchange.ts';
import { DEFAULT_MAX_AUDIO_BYTES, DEFAULT_MODELS_TIMEOUT_MS, MAX_TASK_ANSWER_BYTES } from './telegram-route-context.ts';
import type { TelegramRouteContext } from './telegram-route-context.ts';
import { checkReceiverKey } from '../inference-exchange.ts';

/** Not in InferencePath yet: the gateway forwards any path verbatim (see the report). */
const TRANSCRIPTIONS_PATH: string = '/v1/audio/transcriptions';

export interface TranscriptionUpload {
  model: string | undefined;
  /** False for an encrypted upload: its `stream` field is not readable here. */
  stream: boolean;
  /** The `receiver_public_key` field of an encrypted upload. */
  receiverPublicKey?: Buffer;
}

function invalid(param: string, message: string): CocoonError {
  return new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', `'${param}' ${message}`, { param });
}

function singleField(parts: readonly MultipartPart[], name: string): string | undefined {
  const found = parts.filter((part) => part.name === name);
  if (found.length > 1) throw invalid(name, 'is given more than once');
  const part = found[0];
  if (part === undefined) return undefined;
  if (part.filename !== undefined) throw invalid(name, 'must be a text field, not a file');
  return part.data.toString('utf8');
}

/** Checks the parts of a transcription upload. */
export function checkTranscriptionUpload(form: MultipartForm): TranscriptionUpload {
  const files = form.parts.filter((part) => part.name === 'file');
  if (files.length === 0) throw invalid('file', 'is required (the audio file part)');
  if (files.length > 1) throw invalid('file', 'is given more than once');
  if (files[0]!.filename === undefined || files[0]!.data.length === 0) throw invalid('file', 'must be a non-empty file part with a filename');
  const model = singleField(form.parts, 'model');
  if (model !== undefined && (model.trim() === '' || /[\r\n]/.test(model))) throw invalid('model', 'must be a non-empty single-line string');
  const receiverKey = singleField(form.parts, 'receiver_public_key');
  const receiverPublicKey = receiverKey === undefined ? undefined : parseEncryptionPublicKey(receiverKey);
  if (receiverKey !== undefined && receiverPublicKey === undefined) throw new CocoonError('CCN_ERR_ENCRYPTION_BAD_PUBLIC_KEY', undefined, { param: 'receiver_public_key' });
  if (form.parts.some((part) => part.name === 'is_encrypted')) {
    return { model, stream: false, ...(receiverPublicKey ? { receiverPublicKey: Buffer.from(receiverPublicKey) } : {}) }; // the rest is ENC_ values: the worker checks it
  }
  const responseFormat = singleField(form.parts, 'response_format');
  if (responseFormat !== undefined && responseFormat !== 'json') throw invalid('response_format', "must be 'json' (the answer's usage is what gets billed)");
  const stream = singleField(form.parts, 'stream');
  if (stream !== undefined && stream !== 'true' && stream !== 'false') throw invalid('stream', "must be 'true' or 'false'");
  return { model, stream: stream === 'true', ...(receiverPublicKey ? { receiverPublicKey: Buffer.from(receiverPublicKey) } : {}) };
}

function noWorker(model: string, notFound: boolean): CocoonError {
  const message = `no worker serves audio transcription for model ${model}`;
  return new CocoonError(notFound ? 'CCN_ERR_ROUTE_UNKNOWN_MODEL' : 'CCN_ERR_ROUTE_NO_WORKER', message, { param: 'model' });
}

/** The network's refusals that mean "nobody here transcribes audio with this model". */
function transcriptionRefusal(error: unknown, model: string): CocoonError | undefined {
  if (!isCocoonError(error)) return undefined;
  if (error.code === 'CCN_ERR_ROUTE_UNKNOWN_MODEL') return noWorker(model, true);
  if (error.code === 'CCN_ERR_ROUTE_NO_WORKER') return noWorker(model, false);
  if (error.code === 'CCN_ERR_WORKER_INVALID_REQUEST' && /unsupported|unknown path|not support/i.test(error.message)) return noWorker(model, false);
  return undefined;
}

/** Handles one transcription upload; throws CocoonError for the caller to answer. */
export async function forwardAudioTranscription(request: IncomingMessage, response: ServerResponse, context: TelegramRouteContext): Promise<void> {
  const boundary = multipartBoundary(request.headers['content-type']);
  const raw = await readRequestBody(request, { maxBytes: context.maxAudioBytes ?? DEFAULT_MAX_AUDIO_BYTES, timeoutMs: context.bodyLimits.timeoutMs });
  const form = parseMultipartForm(raw, boundary);
  const upload = checkTranscriptionUpload(form);
  if (upload.receiverPublicKey) checkReceiverKey(upload.receiverPublicKey, context.receiverKeys);
  const model = upload.model ?? chooseAudioModel(await listGatewayModels(context.gateway, context.modelsTimeoutMs ?? DEFAULT_MODELS_TIMEOUT_MS));
  const body = upload.model === undefined ? insertFormField(raw, form, 'model', model) : raw;
  const timeoutMs = Math.max(1, Math.round(context.defaults.timeoutSeconds * 1000));

  await withGatewayCall(response, context, timeoutMs, async (exchange) => {
    let answer: GatewayAnswer;
    try {
      answer = await exchange.awaitAnswer(context.gateway.run({
        path: TRANSCRIPTIONS_PATH as InferencePath,
        method: 'POST',
        headers: forwardableRequestHeaders(request.headers),
        body,
        model,
        maxCoefficient: context.defaults.maxCoefficient,
        maxTokens: context.defaults.maxTokens,
        timeoutMs,
        enableDebug: false,
        signal: exchange.signal,
        stream: upload.stream,
        ...(upload.receiverPublicKey ? { receiverPublicKey: upload.receiverPublicKey } : {}),
      }));
    } catch (error) {
      throw transcriptionRefusal(error, model) ?? error;
    }
    if (answer.status >= 400) return relayErrorAnswer(answer, response, model, exchange);
    exchange.writeHead(answer.status, answerResponseHeaders(answer.headers, {}, { 'content-type': 'application/json' }));
    await exchange.relay(answer.body); // ends the answer however it goes (an SSE stream with a final error event)
  });
}

/** Error answers: "no such route/model" becomes the clear no-worker error; others are relayed. */
async function relayErrorAnswer(answer: GatewayAnswer, response: ServerResponse, model: string, exchange: GatewayExchange): Promise<void> {
  const bytes = await exchange.collect(answer.body, MAX_TASK_ANSWER_BYTES);
  const text = bytes.toString('utf8');
  if (answer.status === 404 || /does not support (the )?transcription|unsupported method/i.test(text)) throw noWorker(model, false);
  const parsed = parseJsonObject(bytes);
  if (parsed === undefined || typeof parsed['error'] !== 'object') throw new CocoonError('CCN_ERR_ENGINE_FAILED', `the network answered HTTP ${answer.status}`);
  sendJson(response, answer.status, parsed);
}
