/**
 * A request the llama engine refuses, with a code from the COCOON error table and the field
 * it is about; the engine answers it as an OpenAI-style error body with the table's HTTP status.
 */
import { ERROR_TABLE } from '@cocoon/protocol';
import type { CocoonErrorCode } from '@cocoon/protocol';

export class LlamaRequestError extends Error {
  readonly status: number;

  constructor(
    readonly code: CocoonErrorCode,
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
    this.name = 'LlamaRequestError';
    this.status = ERROR_TABLE[code].http;
  }
}

/** A malformed request (400 CCN_ERR_WORKER_INVALID_REQUEST). */
export const invalidRequest = (message: string, param: string | null = null): LlamaRequestError =>
  new LlamaRequestError('CCN_ERR_WORKER_INVALID_REQUEST', message, param);

/** A well-formed request asking for something this engine cannot do (400 CCN_ERR_ENGINE_UNSUPPORTED_PARAMETER). */
export const unsupportedParameter = (message: string, param: string): LlamaRequestError =>
  new LlamaRequestError('CCN_ERR_ENGINE_UNSUPPORTED_PARAMETER', message, param);
