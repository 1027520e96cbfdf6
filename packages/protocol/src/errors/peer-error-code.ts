/**
 * Our stable code for an error a peer reported on the wire (docs/protocol.md §19 "Coded errors"): the
 * `CCN_ERR_*` code an extension peer sent, when this build knows it; else a fallback by the wire code.
 * A reference peer sends no code at all: for it alone, the reference's message texts are read first
 * (a compatibility fallback, kept in {@link referenceErrorCode} and nowhere else).
 */
import { WireErrorCode, isCocoonErrorCode } from './error-table.ts';
import type { CocoonErrorCode, PeerReportedError } from './error-table.ts';

/** The shape of a `ccn_code` on the wire; anything else is treated as no code. */
const CODE_SHAPE = /^CCN_ERR_[A-Z0-9_]{1,64}$/;

/** A received `ccn_code` worth keeping (and forwarding): our code shape, known here or not. */
export function wellFormedCocoonCode(text: unknown): string | undefined {
  return typeof text === 'string' && CODE_SHAPE.test(text) ? text : undefined;
}

/** The code for a wire error code alone (an unknown `ccn_code`, or a reference text we do not recognise). */
export function cocoonCodeForWireCode(wireCode: number): CocoonErrorCode {
  switch (wireCode) {
    case WireErrorCode.timeout: return 'CCN_ERR_TIMEOUT'; // 504
    case WireErrorCode.notReady: return 'CCN_ERR_WORKER_DISCONNECTED'; // 502, retryable
    case WireErrorCode.error:
    case WireErrorCode.protoViolation: return 'CCN_ERR_HTTP_BAD_REQUEST'; // 400
    case WireErrorCode.cancelled: return 'CCN_ERR_CANCELLED'; // 499
    default: return 'CCN_ERR_ENGINE_FAILED'; // 502
  }
}

/**
 * Compatibility fallback for a reference peer only (it sends no `ccn_code`): the reference proxy's and
 * worker's message texts (§4.4, §4.6; our proxy keeps their prefixes), then the wire code. Never used
 * where the peer negotiated coded errors: there the code travels on the wire.
 */
export function referenceErrorCode(wireCode: number, message: string): CocoonErrorCode {
  if (/^unknown model/.test(message)) return 'CCN_ERR_ROUTE_UNKNOWN_MODEL';
  if (/^no workers for model .*: all \d+ busy$/.test(message)) return 'CCN_ERR_ROUTE_WORKERS_BUSY';
  if (/^no workers for model/.test(message)) return 'CCN_ERR_ROUTE_NO_WORKER';
  if (/^can run this query with coefficient/.test(message)) return 'CCN_ERR_ROUTE_COEFFICIENT_TOO_LOW';
  if (/balance is too low|reserved tokens depleted/.test(message)) return 'CCN_ERR_BILLING_INSUFFICIENT_BALANCE';
  // Proto-3 encryption (docs/protocol.md §20): the reference proxy's and worker's texts (ValidateRequest.cpp).
  if (/^unknown public key /.test(message)) return 'CCN_ERR_ENCRYPTION_UNKNOWN_KEY';
  if (/cannot find private key for an encrypted request/.test(message)) return 'CCN_ERR_ENCRYPTION_NO_KEY';
  if (/(encryption|public) key is provided, but request is unencrypted/.test(message)) return 'CCN_ERR_ENCRYPTION_UNEXPECTED_KEY';
  if (/not all encryption-related fields are present|public_key bad length/.test(message)) return 'CCN_ERR_ENCRYPTION_ENVELOPE';
  if (/sender public key mismatch/.test(message)) return 'CCN_ERR_ENCRYPTION_SENDER_MISMATCH';
  if (/(^|: )public key mismatch/.test(message)) return 'CCN_ERR_ENCRYPTION_KEY_MISMATCH';
  if (/bad encryption method|Failed to decrypt/.test(message)) return 'CCN_ERR_ENCRYPTION_BAD_VALUE';
  if (/invalid http request|invalid runQueryEx/.test(message)) return 'CCN_ERR_WORKER_INVALID_REQUEST';
  return cocoonCodeForWireCode(wireCode);
}

/**
 * The table code for a peer's error: its own code when it sent a known one; an unknown one (a newer
 * peer) falls back by wire code; no code at all reads the reference texts only when `referencePeer`
 * (the session negotiated nothing), else falls back by wire code too.
 */
export function cocoonCodeOfPeerError(error: PeerReportedError, options: { referencePeer: boolean }): CocoonErrorCode {
  if (error.cocoonCode !== undefined) return isCocoonErrorCode(error.cocoonCode) ? error.cocoonCode : cocoonCodeForWireCode(error.wireCode);
  return options.referencePeer ? referenceErrorCode(error.wireCode, error.message) : cocoonCodeForWireCode(error.wireCode);
}
