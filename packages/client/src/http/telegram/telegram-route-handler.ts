/**
 * Entry point of the Telegram task routes on the client's HTTP edge: `POST /v1/summarize`,
 * `POST /v1/translate` (application/json bodies) and `POST /v1/audio/transcriptions`
 * (multipart/form-data). The server calls `handleTelegramRoute` after its guard; it answers (and
 * returns true) for these paths only, and never throws.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CocoonError, isCocoonError, requireJsonContentType, requireMediaType } from '@cocoon/protocol';
import { readRequestBody } from '../request-body-reader.ts';
import { sendError, sendJson } from '../json-response.ts';
import { parseSummarizeRequest, parseTranslateRequest } from './telegram-task-request-parser.ts';
import { resolvePromptTemplates, summarizeMessages, summaryMaxTokens, translateMessages, translationMaxTokens } from '@cocoon/protocol';
import { runChatTask } from './telegram-chat-task.ts';
import type { ChatTaskResult } from './telegram-chat-task.ts';
import { forwardAudioTranscription } from './audio-transcription-forwarder.ts';
import { UpstreamErrorAnswer } from './telegram-route-context.ts';
import type { TelegramRouteContext } from './telegram-route-context.ts';

export const SUMMARIZE_PATH = '/v1/summarize';
export const TRANSLATE_PATH = '/v1/translate';
export const AUDIO_TRANSCRIPTIONS_PATH = '/v1/audio/transcriptions';
const TELEGRAM_PATHS = new Set([SUMMARIZE_PATH, TRANSLATE_PATH, AUDIO_TRANSCRIPTIONS_PATH]);

/** Whether `pathname` is one of the Telegram task routes. */
export function isTelegramRoute(pathname: string): boolean {
  return TELEGRAM_PATHS.has(pathname);
}

/** Answers a Telegram task route and returns true; returns false (untouched) for any other path. */
export async function handleTelegramRoute(request: IncomingMessage, response: ServerResponse, context: TelegramRouteContext): Promise<boolean> {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (!TELEGRAM_PATHS.has(path)) return false;
  try {
    if (request.method !== 'POST') {
      request.resume();
      sendError(response, new CocoonError('CCN_ERR_HTTP_METHOD_NOT_ALLOWED', `${path} accepts POST only`), { allow: 'POST, OPTIONS' });
      return true;
    }
    // 415 for other media types: a browser sends them cross-site without a preflight.
    if (path === AUDIO_TRANSCRIPTIONS_PATH) {
      requireMediaType(request.headers, 'multipart/form-data');
      await forwardAudioTranscription(request, response, context);
    } else {
      requireJsonContentType(request.headers);
      await runTextTask(path, request, response, context);
    }
  } catch (error) {
    answerFailure(request, response, error);
  }
  return true;
}

async function runTextTask(path: string, request: IncomingMessage, response: ServerResponse, context: TelegramRouteContext): Promise<void> {
  const raw = await readRequestBody(request, context.bodyLimits);
  const templates = resolvePromptTemplates(context.templates);
  const defaultTokens = context.defaults.maxTokens;
  let result: ChatTaskResult;
  if (path === SUMMARIZE_PATH) {
    const task = parseSummarizeRequest(raw, context.maxTextChars);
    const maxTokens = summaryMaxTokens(task.maxWords, defaultTokens);
    result = await runChatTask(request, response, context, { model: task.model, messages: summarizeMessages(templates, task.text, task.maxWords, task.language), maxTokens });
    sendJson(response, 200, { summary: result.content, model: result.model, ...truncatedFlag(result), usage: result.usage, cost: result.cost });
  } else {
    const task = parseTranslateRequest(raw, context.maxTextChars);
    const maxTokens = translationMaxTokens(task.text, defaultTokens);
    result = await runChatTask(request, response, context, { model: task.model, messages: translateMessages(templates, task.text, task.targetLanguage, task.sourceLanguage), maxTokens });
    sendJson(response, 200, { translation: result.content, model: result.model, ...truncatedFlag(result), usage: result.usage, cost: result.cost });
  }
}

function truncatedFlag(result: ChatTaskResult): { truncated?: true } {
  return result.truncated ? { truncated: true } : {};
}

/** OpenAI-style error answer; closes the connection when the request body was not read to its end. */
function answerFailure(request: IncomingMessage, response: ServerResponse, error: unknown): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  if (error instanceof UpstreamErrorAnswer) {
    sendJson(response, error.status, error.body);
    return;
  }
  if (isCocoonError(error) && error.code === 'CCN_ERR_CANCELLED' && response.destroyed) return;
  sendError(response, error, request.complete ? {} : { connection: 'close' });
}
