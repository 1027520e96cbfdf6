/**
 * Minimal node:http client for the HTTP edge tests: whole answers, or answers read chunk by chunk.
 */
import { request as httpRequest } from 'node:http';
import type { ClientRequest, IncomingMessage } from 'node:http';

export interface TestAnswer {
  status: number;
  headers: IncomingMessage['headers'];
  text: string;
  json: () => Record<string, unknown>;
}

export interface RequestSpec {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer | unknown;
}

function encodeBody(body: RequestSpec['body']): Buffer | undefined {
  if (body === undefined) return undefined;
  if (typeof body === 'string') return Buffer.from(body);
  if (Buffer.isBuffer(body)) return body;
  return Buffer.from(JSON.stringify(body));
}

/** Starts a request and resolves with the answer's head; the caller reads the body. */
export function openRequest(url: string, spec: RequestSpec = {}): { request: ClientRequest; response: Promise<IncomingMessage> } {
  const body = encodeBody(spec.body);
  const request = httpRequest(url, {
    method: spec.method ?? (body === undefined ? 'GET' : 'POST'),
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(body.length) }), ...spec.headers },
  });
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    request.on('response', resolve);
    request.on('error', reject);
  });
  request.end(body);
  return { request, response };
}

export async function readAll(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function send(url: string, spec: RequestSpec = {}): Promise<TestAnswer> {
  const response = await openRequest(url, spec).response;
  const text = await readAll(response);
  return { status: response.statusCode ?? 0, headers: response.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

/** Reads the next body chunk of a streamed answer (undefined at the end). */
export function nextChunk(response: IncomingMessage): Promise<string | undefined> {
  if (response.readableEnded) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      cleanup();
      response.pause();
      resolve(chunk.toString('utf8'));
    };
    const onEnd = (): void => {
      cleanup();
      resolve(undefined);
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const cleanup = (): void => {
      response.off('data', onData);
      response.off('end', onEnd);
      response.off('error', onError);
    };
    response.on('data', onData);
    response.on('end', onEnd);
    response.on('error', onError);
    response.resume();
  });
}
