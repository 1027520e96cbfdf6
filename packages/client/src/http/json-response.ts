/**
 * Small writers for the HTTP edge's own answers (JSON, HTML, errors). CORS headers, where a
 * request earned them, were set on the response before (see HttpRequestGuard.corsHeaders).
 */
import type { ServerResponse } from 'node:http';
import { isCocoonError } from '@cocoon/protocol';
import { openAiErrorAnswer } from './openai-error-body.ts';

/** Writes a complete answer unless one was already started. */
export function sendBody(response: ServerResponse, status: number, contentType: string, body: string, extraHeaders: Record<string, string> = {}): void {
  if (response.headersSent || response.destroyed) return;
  const payload = Buffer.from(body, 'utf8');
  response.writeHead(status, { 'content-type': contentType, 'content-length': String(payload.length), ...extraHeaders });
  response.end(payload);
}

export function sendJson(response: ServerResponse, status: number, value: unknown, extraHeaders: Record<string, string> = {}): void {
  sendBody(response, status, 'application/json; charset=utf-8', JSON.stringify(value), extraHeaders);
}

/** Answers with the OpenAI-style error body for `error`. */
export function sendError(response: ServerResponse, error: unknown, extraHeaders: Record<string, string> = {}): void {
  const answer = openAiErrorAnswer(error);
  const retryAfter = isCocoonError(error) ? error.retryAfterSeconds : undefined;
  sendJson(response, answer.status, answer.body, retryAfter === undefined ? extraHeaders : { 'retry-after': String(retryAfter), ...extraHeaders });
}

/** One SSE event carrying an OpenAI-style error, for streams that fail after the headers went out. */
export function sseErrorEvent(error: unknown): Buffer {
  return Buffer.from(`data: ${JSON.stringify(openAiErrorAnswer(error).body)}\n\n`, 'utf8');
}
