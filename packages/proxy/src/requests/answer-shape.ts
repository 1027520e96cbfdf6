/**
 * The version-specific shapes of one request's messages (§3.3, version 0), as the reference 9060ce5
 * proxy (ProxyRunner.cpp, ProxyRunningRequest.cpp): towards a worker of version 0 `proxy.runQuery`,
 * else `proxy.runQueryEx`; a worker's legacy answers (`proxy.queryAnswer`, `…Part`, `…Error`,
 * `…PartError`, from any worker) read as their Ex form; and towards a client of version 0 the Ex
 * answers written as the legacy `client.queryAnswer`, `…Part`, `…Error`, `…PartError` with their
 * `tokensUsed`. The request itself only ever handles the Ex form.
 */
import { CocoonError } from '@cocoon/protocol';
import type { TlObject } from '@cocoon/protocol';

/** The version whose peers speak only the legacy non-Ex messages. */
export const LEGACY_PROTOCOL_VERSION = 0;
/** The least worker protocol version that carries `proxy.runQueryEx.private_key` (the reference's `choose_connection(…, 3)`). */
export const ENCRYPTION_PROTO_VERSION = 3;

const NO_PRIVATE_KEY = Buffer.alloc(32);

/** All-zero usage: what a legacy message carries before the request's final usage is known. */
export const ZERO_TOKENS: TlObject = Object.freeze({
  _: 'tokensUsed', prompt_tokens_used: 0n, cached_tokens_used: 0n, completion_tokens_used: 0n, reasoning_tokens_used: 0n, total_tokens_used: 0n,
});

export interface WorkerRunQueryFields {
  query: Buffer;
  signedPayment: TlObject;
  coefficient: number;
  timeoutSeconds: number;
  requestId: Buffer;
  enableDebug: boolean;
  /** The private key of an encrypted request (only for workers of version ≥ 3). */
  privateKey: Buffer | undefined;
}

/**
 * What the proxy forwards to a worker of `protoVersion`: version 0 `proxy.runQuery` (no flags, no
 * debug, no key); else `proxy.runQueryEx` with flags `1 | (proto ≥ 3 ? 2 : 0)`, `private_key` zeros
 * for a clear request (as the reference).
 */
export function workerRunQuery(protoVersion: number, fields: WorkerRunQueryFields): TlObject {
  const common = {
    query: fields.query, signed_payment: fields.signedPayment, coefficient: BigInt(fields.coefficient), timeout: fields.timeoutSeconds, request_id: fields.requestId,
  };
  if (protoVersion <= LEGACY_PROTOCOL_VERSION) {
    if (fields.privateKey) throw new CocoonError('CCN_ERR_INTERNAL', 'an encrypted request cannot go to a version-0 worker');
    return { _: 'proxy.runQuery', ...common };
  }
  const key = protoVersion >= ENCRYPTION_PROTO_VERSION ? { flags: 3, private_key: fields.privateKey ?? NO_PRIVATE_KEY } : { flags: 1 };
  return { _: 'proxy.runQueryEx', ...common, enable_debug: fields.enableDebug, ...key };
}

/** The worker-side final info the reference builds from a legacy answer's usage (flags 0: no times, no debug). */
function finalInfoOfLegacy(tokensUsed: TlObject): TlObject {
  return { _: 'proxy.queryFinalInfo', flags: 0, tokens_used: tokensUsed };
}

/**
 * A worker's answer in its Ex form: the legacy answer and part become `proxy.queryAnswerEx` /
 * `proxy.queryAnswerPartEx` with `final_info` (its `tokens_used`) when `is_completed`; both legacy
 * errors become `proxy.queryAnswerErrorEx` with `final_info`. Ex (and coded) answers pass unchanged.
 */
export function workerAnswerAsEx(message: TlObject): TlObject {
  switch (message._) {
    case 'proxy.queryAnswer':
    case 'proxy.queryAnswerPart': {
      const name = message._ === 'proxy.queryAnswer' ? 'proxy.queryAnswerEx' : 'proxy.queryAnswerPartEx';
      const completed = message.is_completed === true;
      return {
        _: name, request_id: message.request_id, answer: message.answer,
        ...(completed ? { flags: 1, final_info: finalInfoOfLegacy(message.tokens_used as TlObject) } : { flags: 0 }),
      };
    }
    case 'proxy.queryAnswerError':
    case 'proxy.queryAnswerPartError':
      return {
        _: 'proxy.queryAnswerErrorEx', request_id: message.request_id, error_code: message.error_code, error: message.error,
        flags: 1, final_info: finalInfoOfLegacy(message.tokens_used as TlObject),
      };
    default:
      return message;
  }
}

/** The usage an Ex client message's final info carries; zeros without one (as the reference's legacy answers). */
function tokensOf(message: TlObject): TlObject {
  const finalInfo = ((message.flags as number | undefined) ?? 0) & 1 ? (message.final_info as TlObject | undefined) : undefined;
  return (finalInfo?.tokens_used as TlObject | undefined) ?? ZERO_TOKENS;
}

/**
 * A client answer in the shape a client of `protoVersion` reads. Version ≥ 1: unchanged. Version 0:
 * `client.queryAnswer` / `client.queryAnswerPart` (`is_completed` = the last flag), and an error as
 * `client.queryAnswerError` before any answer went out or `client.queryAnswerPartError` after
 * (`answerSent`), each with the request's usage in `request_tokens_used` (zeros until the end).
 */
export function clientAnswerShape(protoVersion: number, message: TlObject, answerSent: boolean): TlObject {
  if (protoVersion > LEGACY_PROTOCOL_VERSION) return message;
  const fields = { request_id: message.request_id, request_tokens_used: tokensOf(message) };
  switch (message._) {
    case 'client.queryAnswerEx':
    case 'client.queryAnswerPartEx':
      return {
        _: message._ === 'client.queryAnswerEx' ? 'client.queryAnswer' : 'client.queryAnswerPart',
        answer: message.answer, is_completed: (((message.flags as number | undefined) ?? 0) & 1) !== 0, ...fields,
      };
    case 'client.queryAnswerErrorEx':
    case 'ext.clientQueryAnswerErrorCoded':
      return { _: answerSent ? 'client.queryAnswerPartError' : 'client.queryAnswerError', error_code: message.error_code, error: message.error, ...fields };
    default:
      throw new CocoonError('CCN_ERR_INTERNAL', `no version-0 form of ${message._}`);
  }
}
