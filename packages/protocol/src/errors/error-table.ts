/**
 * The one error table of COCOON: every failure a component can report has a stable
 * code (`CCN_ERR_<AREA>_<WHAT>`), a wire code (the reference's TON error codes), an
 * HTTP status for the client's edge, and whether a retry on another worker may help.
 */

/** Reference TON error codes as they travel on the wire (§4.7). */
export const WireErrorCode = {
  failure: 601,
  error: 602,
  warning: 603,
  protoViolation: 621,
  notReady: 651,
  timeout: 652,
  cancelled: 653,
} as const;

export interface ErrorSpec {
  readonly wire: number;
  readonly http: number;
  readonly retryable: boolean;
  readonly message: string;
  /** Seconds an HTTP answer suggests in `Retry-After` (503s worth retrying soon). */
  readonly retryAfterSeconds?: number;
}

const spec = (wire: number, http: number, retryable: boolean, message: string, retryAfterSeconds?: number): ErrorSpec =>
  retryAfterSeconds === undefined ? { wire, http, retryable, message } : { wire, http, retryable, message, retryAfterSeconds };
const W = WireErrorCode;

export const ERROR_TABLE = {
  // HTTP edge (client runner): bad requests from apps.
  CCN_ERR_HTTP_BAD_JSON: spec(W.error, 400, false, 'request body is not valid JSON'),
  CCN_ERR_HTTP_BAD_REQUEST: spec(W.error, 400, false, 'invalid request'),
  CCN_ERR_HTTP_BODY_TOO_LARGE: spec(W.error, 413, false, 'request body is too large'),
  CCN_ERR_HTTP_NOT_FOUND: spec(W.error, 404, false, 'no such endpoint'),
  CCN_ERR_HTTP_METHOD_NOT_ALLOWED: spec(W.error, 405, false, 'method not allowed'),
  CCN_ERR_HTTP_UNAUTHORIZED: spec(W.error, 401, false, 'access denied'),
  /** A caller over its request budget (e.g. a Telegram user over telegram_user_requests_per_minute); the answer's Retry-After says when. */
  CCN_ERR_HTTP_RATE_LIMITED: spec(W.notReady, 429, true, 'too many requests'),
  CCN_ERR_HTTP_FORBIDDEN_ORIGIN: spec(W.error, 403, false, 'cross-origin request refused'),
  CCN_ERR_HTTP_MISDIRECTED: spec(W.error, 421, false, 'this server does not serve that host name'),
  CCN_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE: spec(W.error, 415, false, 'request body must be application/json'),
  CCN_ERR_HTTP_BODY_TIMEOUT: spec(W.error, 408, false, 'timed out reading the request body'),
  CCN_ERR_HTTP_JSON_TOO_DEEP: spec(W.error, 400, false, 'request JSON is nested too deeply'),
  CCN_ERR_HTTP_JSON_DUPLICATE_KEY: spec(W.error, 400, false, 'request JSON has a duplicate key'),
  CCN_ERR_HTTP_JSON_TOO_COMPLEX: spec(W.error, 400, false, 'request JSON has too many values'),
  CCN_ERR_HTTP_SHUTTING_DOWN: spec(W.notReady, 503, true, 'the server is shutting down'),
  // Request routing and admission (proxy).
  CCN_ERR_ROUTE_UNKNOWN_MODEL: spec(W.protoViolation, 404, false, 'unknown model'),
  CCN_ERR_ROUTE_NO_WORKER: spec(W.notReady, 503, true, 'no worker available for this model'),
  CCN_ERR_ROUTE_WORKERS_BUSY: spec(W.notReady, 503, true, 'all workers for this model are busy', 1),
  CCN_ERR_ROUTE_COEFFICIENT_TOO_LOW: spec(W.notReady, 503, false, 'no worker within max_coefficient'),
  CCN_ERR_ROUTE_NO_PROXY: spec(W.notReady, 503, true, 'not connected to any proxy'),
  CCN_ERR_ROUTE_NO_ENCRYPTING_WORKER: spec(W.notReady, 503, true, 'no worker for this model takes encrypted requests (protocol 3 or newer)'),
  CCN_ERR_BILLING_INSUFFICIENT_BALANCE: spec(W.error, 402, false, 'client balance too low for this request'),
  CCN_ERR_BILLING_RESERVATION_DEPLETED: spec(W.error, 402, false, 'reserved tokens depleted'),
  // Worker side.
  CCN_ERR_WORKER_INVALID_REQUEST: spec(W.protoViolation, 400, false, 'worker: invalid http request'),
  CCN_ERR_WORKER_OVERLOADED: spec(W.notReady, 503, true, 'worker: too many active queries'),
  CCN_ERR_WORKER_DISCONNECTED: spec(W.notReady, 502, true, 'worker disconnected'),
  CCN_ERR_WORKER_DISABLED: spec(W.notReady, 503, true, 'worker is disabled'),
  CCN_ERR_WORKER_MODEL_CHANGE_FAILED: spec(W.error, 502, false, 'worker: cannot change model'),
  CCN_ERR_WORKER_MODEL_CHANGE_BUSY: spec(W.error, 409, true, 'worker: a model change is already running'),
  CCN_ERR_ENGINE_UNAVAILABLE: spec(W.notReady, 502, true, 'inference engine unavailable'),
  CCN_ERR_ENGINE_FAILED: spec(W.failure, 502, false, 'inference engine failed'),
  CCN_ERR_ENGINE_UNSUPPORTED_PARAMETER: spec(W.protoViolation, 400, false, 'the inference engine does not support this request parameter'),
  CCN_ERR_MODEL_MISMATCH: spec(W.failure, 500, false, 'model file does not match its advertised identity'),
  CCN_ERR_MODEL_DOWNLOAD: spec(W.failure, 502, true, 'model download failed'),
  // Encrypted requests (proto 3, docs/protocol.md §20): the app's mistakes are 400s.
  CCN_ERR_ENCRYPTION_NO_KEY: spec(W.error, 400, false, 'the request is encrypted, but no private key came with it'),
  CCN_ERR_ENCRYPTION_UNEXPECTED_KEY: spec(W.error, 400, false, 'an encryption key came with the request, but the request is not encrypted'),
  CCN_ERR_ENCRYPTION_ENVELOPE: spec(W.error, 400, false, 'the encryption fields (is_encrypted, sender_public_key, receiver_public_key, encryption_nonce) are missing or malformed'),
  CCN_ERR_ENCRYPTION_KEY_MISMATCH: spec(W.error, 400, false, 'receiver_public_key does not match the private key it was sent with'),
  CCN_ERR_ENCRYPTION_SENDER_MISMATCH: spec(W.protoViolation, 502, false, 'the answer was not encrypted by the expected sender'),
  CCN_ERR_ENCRYPTION_BAD_VALUE: spec(W.protoViolation, 400, false, 'an encrypted value is malformed or failed authentication'),
  CCN_ERR_ENCRYPTION_BAD_PUBLIC_KEY: spec(W.error, 400, false, 'receiver_public_key must be 64 hex digits, 44 base64 characters or 32 raw bytes'),
  CCN_ERR_ENCRYPTION_UNREGISTERED_KEY: spec(W.error, 400, false, 'receiver_public_key is not a registered, unexpired encryption key of the root contract'),
  CCN_ERR_ENCRYPTION_UNKNOWN_KEY: spec(W.error, 503, true, 'the proxy holds no private key for receiver_public_key (yet)', 30),
  CCN_ERR_ENCRYPTION_UNSUPPORTED: spec(W.notReady, 503, false, 'the proxy connection speaks a protocol older than 3: it cannot carry encrypted requests'),
  // End-to-end encryption to attested workers (extension "e2e", docs/protocol.md §22).
  CCN_ERR_E2E_UNAVAILABLE: spec(W.notReady, 503, false, 'end-to-end encryption was required, but no end-to-end path exists (the policy refuses to fall back)'),
  CCN_ERR_E2E_NO_RECIPIENT: spec(W.notReady, 503, true, 'no reachable attested worker holds a recipient key of this end-to-end request', 1),
  CCN_ERR_E2E_EVIDENCE_INVALID: spec(W.protoViolation, 502, false, 'a worker\'s end-to-end key evidence failed verification'),
  CCN_ERR_E2E_REQUEST_INVALID: spec(W.protoViolation, 400, false, 'the end-to-end request is malformed, names no key of this worker, fails to decrypt, or its header does not match'),
  CCN_ERR_E2E_REPLAYED: spec(W.error, 400, false, 'the end-to-end request is outside the replay window or was seen before'),
  CCN_ERR_E2E_ANSWER_TAMPERED: spec(W.protoViolation, 502, false, 'an end-to-end answer chunk was dropped, reordered, replayed or altered'),
  CCN_ERR_E2E_ANSWER_TRUNCATED: spec(W.protoViolation, 502, false, 'the end-to-end answer ended without its final chunk'),
  CCN_ERR_E2E_RECEIPT_INVALID: spec(W.protoViolation, 502, false, 'the end-to-end receipt is missing, badly signed, or does not match the request and answer'),
  // Time.
  CCN_ERR_TIMEOUT: spec(W.timeout, 504, false, 'request timed out'),
  CCN_ERR_CANCELLED: spec(W.cancelled, 499, false, 'request cancelled'),
  // Protocol / session.
  CCN_ERR_PROTOCOL_VIOLATION: spec(W.protoViolation, 502, false, 'protocol violation'),
  CCN_ERR_PROTOCOL_FRAME_TOO_LARGE: spec(W.protoViolation, 502, false, 'frame exceeds the 16 MiB limit'),
  CCN_ERR_PROTOCOL_BAD_SEQNO: spec(W.protoViolation, 502, false, 'frame seqno out of order'),
  CCN_ERR_PROTOCOL_UNKNOWN_CONSTRUCTOR: spec(W.protoViolation, 502, false, 'unknown TL constructor'),
  CCN_ERR_PROTOCOL_DECODE: spec(W.protoViolation, 502, false, 'malformed TL data'),
  CCN_ERR_PROTOCOL_VERSION: spec(W.protoViolation, 502, false, 'no common protocol version'),
  CCN_ERR_PROTOCOL_BAD_POW: spec(W.protoViolation, 502, false, 'proof of work rejected'),
  CCN_ERR_SESSION_CLOSED: spec(W.notReady, 502, true, 'connection closed'),
  CCN_ERR_SESSION_IDLE_TIMEOUT: spec(W.timeout, 502, true, 'connection idle timeout'),
  CCN_ERR_SESSION_TOO_MANY_UNAUTHENTICATED: spec(W.notReady, 503, true, 'too many connections waiting for authorization'),
  // Authentication / attestation.
  CCN_ERR_AUTH_FAILED: spec(W.error, 401, false, 'authorization with proxy failed'),
  CCN_ERR_ATTEST_NO_CERTIFICATE: spec(W.protoViolation, 502, false, 'peer presented no certificate'),
  CCN_ERR_ATTEST_BAD_CERTIFICATE: spec(W.protoViolation, 502, false, 'peer certificate rejected'),
  CCN_ERR_ATTEST_POLICY: spec(W.protoViolation, 502, false, 'peer attestation does not satisfy policy'),
  CCN_ERR_ATTEST_QUOTE_INVALID: spec(W.protoViolation, 502, false, 'TEE quote is malformed or its signature chain is invalid'),
  CCN_ERR_ATTEST_COLLATERAL: spec(W.notReady, 503, true, 'attestation collateral unavailable or invalid'),
  CCN_ERR_ATTEST_TCB_STATUS: spec(W.protoViolation, 502, false, 'platform TCB status not allowed by policy'),
  CCN_ERR_ATTEST_TEE_UNAVAILABLE: spec(W.failure, 500, false, 'TEE evidence could not be produced'),
  // TON chain, wallets, contracts and the durable ledger.
  CCN_ERR_TON_UNAVAILABLE: spec(W.notReady, 503, true, 'TON chain unreachable'),
  CCN_ERR_TON_LOW_BALANCE: spec(W.error, 503, false, 'ACTION REQUIRED: wallet balance too low'),
  CCN_ERR_TON_CONTRACT_MISMATCH: spec(W.protoViolation, 502, false, 'contract address or state does not match'),
  CCN_ERR_TON_BAD_SIGNED_PAYMENT: spec(W.protoViolation, 502, false, 'signed payment rejected'),
  CCN_ERR_TON_TRANSACTION_FAILED: spec(W.failure, 502, false, 'on-chain transaction failed'),
  CCN_ERR_TON_TIMEOUT: spec(W.timeout, 504, true, 'on-chain operation timed out'),
  CCN_ERR_TON_PARAMS_CHANGED: spec(W.notReady, 503, true, 'network parameters changed: moving to new contracts'),
  CCN_ERR_TON_ROOT_STALE: spec(W.notReady, 503, true, 'root contract config is too old'),
  CCN_ERR_LEDGER_CORRUPT: spec(W.failure, 500, false, 'ledger record failed verification'),
  CCN_ERR_LEDGER_ROLLBACK: spec(W.failure, 500, false, 'ledger is behind a peer: state was rolled back'),
  // Key manager (request encryption keys).
  CCN_ERR_KEY_MANAGER_RECORD_INVALID: spec(W.failure, 500, false, 'key manager record failed verification'),
  CCN_ERR_KEY_MANAGER_PEER_REFUSED: spec(W.error, 403, false, 'peer is not allowed to receive private keys'),
  CCN_ERR_KEY_MANAGER_UNAVAILABLE: spec(W.notReady, 503, true, 'key manager unavailable'),
  // Configuration and internal.
  CCN_ERR_CONFIG_INVALID: spec(W.error, 500, false, 'invalid configuration'),
  /** `cocoon client|worker|proxy <operation>`: nothing answers on the runner's stats port. */
  CCN_ERR_CLI_RUNNER_UNREACHABLE: spec(W.notReady, 503, true, 'the runner is not running (its stats port does not answer)'),
  CCN_ERR_INTERNAL: spec(W.failure, 500, false, 'internal error'),
} as const satisfies Record<string, ErrorSpec>;

export type CocoonErrorCode = keyof typeof ERROR_TABLE;

/** Whether a text (e.g. a `ccn_code` received from a peer, perhaps a newer one) is a code of this table. */
export function isCocoonErrorCode(text: unknown): text is CocoonErrorCode {
  return typeof text === 'string' && Object.hasOwn(ERROR_TABLE, text);
}

export interface CocoonErrorOptions {
  cause?: unknown;
  /** Extra machine-readable detail (e.g. the offending field name). */
  param?: string;
}

/** An error with a stable code from {@link ERROR_TABLE}. */
export class CocoonError extends Error {
  readonly code: CocoonErrorCode;
  readonly param: string | undefined;

  constructor(code: CocoonErrorCode, message?: string, options: CocoonErrorOptions = {}) {
    super(message ?? ERROR_TABLE[code].message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CocoonError';
    this.code = code;
    this.param = options.param;
  }

  get wireCode(): number {
    return ERROR_TABLE[this.code].wire;
  }

  get httpStatus(): number {
    return ERROR_TABLE[this.code].http;
  }

  get retryable(): boolean {
    return ERROR_TABLE[this.code].retryable;
  }

  /** `Retry-After` seconds for HTTP answers, when the table gives one. */
  get retryAfterSeconds(): number | undefined {
    return (ERROR_TABLE[this.code] as ErrorSpec).retryAfterSeconds;
  }
}

export function isCocoonError(value: unknown): value is CocoonError {
  return value instanceof CocoonError;
}

/** Whether retrying the operation (e.g. on another worker) may succeed. */
export function isRetryable(error: unknown): boolean {
  return isCocoonError(error) && error.retryable;
}

/** Wraps any thrown value into a CocoonError, keeping CocoonErrors as they are. */
export function toCocoonError(error: unknown, fallback: CocoonErrorCode = 'CCN_ERR_INTERNAL'): CocoonError {
  if (isCocoonError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CocoonError(fallback, message, { cause: error });
}

/** HTTP status for a wire error code received from a peer (reference mapping, §4.7). */
export function httpStatusForWireCode(wireCode: number): number {
  if (wireCode === WireErrorCode.timeout) return 504;
  if (wireCode === WireErrorCode.notReady) return 502;
  if (wireCode === WireErrorCode.protoViolation || wireCode === WireErrorCode.error) return 400;
  return 500;
}

/** An error reported by a peer on the wire (tcp.queryError or an *ErrorEx answer). */
export class PeerReportedError extends Error {
  readonly wireCode: number;
  /**
   * The peer's `CCN_ERR_*` code where it sent one (the coded-errors extension, §19); it may be a
   * code this build does not know (a newer peer). Undefined for a reference peer.
   */
  readonly cocoonCode: string | undefined;

  constructor(wireCode: number, message: string, cocoonCode?: string) {
    super(message);
    this.name = 'PeerReportedError';
    this.wireCode = wireCode;
    this.cocoonCode = cocoonCode;
  }
}
