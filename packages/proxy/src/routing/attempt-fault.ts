/**
 * Whether a failed attempt counts against the worker's reliability and starts its failure cooldown
 * (§4.4): a disconnect, a timeout, an overload, an engine failure or a protocol violation does; a
 * cancel and the app's own bad request (any 4xx: invalid body, a bad encryption envelope) do not.
 * A worker's coded error (§19) is judged by its table code, a reference worker's by its wire code.
 */
import { CocoonError, ERROR_TABLE, PeerReportedError, WireErrorCode, isCocoonErrorCode } from '@cocoon/protocol';

function faultOfStatus(httpStatus: number): boolean {
  return httpStatus < 400 || httpStatus >= 500;
}

export function isWorkerFault(error: unknown): boolean {
  if (error instanceof CocoonError) return faultOfStatus(error.httpStatus);
  if (error instanceof PeerReportedError) {
    if (isCocoonErrorCode(error.cocoonCode)) return faultOfStatus(ERROR_TABLE[error.cocoonCode].http);
    return error.wireCode !== WireErrorCode.error && error.wireCode !== WireErrorCode.protoViolation && error.wireCode !== WireErrorCode.cancelled;
  }
  return true;
}
