/**
 * Reads an HTTP request body with a size limit and a read timeout (§4.1: 60 s). Stops reading
 * as soon as the limit is crossed (or Content-Length announces more than the limit). Callers answer
 * a refused body with `connection: close`: its unread rest is not drained.
 */
import type { IncomingMessage } from 'node:http';
import { CocoonError } from '@cocoon/protocol';

export interface BodyReadLimits {
  maxBytes: number;
  timeoutMs: number;
}

/** Thrown when the body took longer than the read timeout (CCN_ERR_HTTP_BODY_TIMEOUT, answered as 408). */
export class BodyReadTimeoutError extends CocoonError {
  constructor(timeoutMs: number) {
    super('CCN_ERR_HTTP_BODY_TIMEOUT', `timed out reading the request body after ${timeoutMs} ms`);
  }
}

function tooLarge(maxBytes: number): CocoonError {
  return new CocoonError('CCN_ERR_HTTP_BODY_TOO_LARGE', `request body is larger than ${maxBytes} bytes`);
}

/** Resolves with the whole body, or rejects with a CocoonError (413, 408, 499 when the client left). */
export function readRequestBody(request: IncomingMessage, limits: BodyReadLimits): Promise<Buffer> {
  const announced = Number(request.headers['content-length']);
  if (Number.isFinite(announced) && announced > limits.maxBytes) return Promise.reject(tooLarge(limits.maxBytes));
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error: CocoonError | undefined): void => {
      clearTimeout(timer);
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onFailure);
      request.off('close', onClose);
      if (error === undefined) {
        resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
        return;
      }
      request.pause();
      reject(error);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limits.maxBytes) finish(tooLarge(limits.maxBytes));
      else chunks.push(chunk);
    };
    const onEnd = (): void => finish(undefined);
    const onFailure = (): void => finish(new CocoonError('CCN_ERR_CANCELLED', 'request body could not be read'));
    const onClose = (): void => {
      if (!request.complete) onFailure();
    };
    const timer = setTimeout(() => finish(new BodyReadTimeoutError(limits.timeoutMs)), limits.timeoutMs);
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onFailure);
    request.on('close', onClose);
  });
}
