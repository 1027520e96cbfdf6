/**
 * A request's final error answer on either hop, coded or not (docs/protocol.md §19 "Coded errors"):
 * on a session that negotiated `errorCodes` the extension constructor, which is the reference error
 * answer plus our stable `ccn_code`; on any other session the reference message, byte for byte as
 * before. And the way back: any received error answer as a PeerReportedError, its code kept.
 */
import { CocoonError, PeerReportedError } from '../errors/error-table.ts';
import { cocoonCodeForWireCode, referenceErrorCode, wellFormedCocoonCode } from '../errors/peer-error-code.ts';
import type { TlObject } from '../tl/index.ts';
import { wireErrorOf } from './cocoon-session.ts';
import type { SessionExtension } from './session-extensions.ts';

/** `client`: what a client receives (proxy → client); `proxy`: what a proxy receives (worker → proxy). */
export type ErrorAnswerHop = 'client' | 'proxy';

const REFERENCE_NAMES = { client: 'client.queryAnswerErrorEx', proxy: 'proxy.queryAnswerErrorEx' } as const;
const CODED_NAMES = { client: 'ext.clientQueryAnswerErrorCoded', proxy: 'ext.proxyQueryAnswerErrorCoded' } as const;

export interface ErrorAnswerFields {
  requestId: Buffer;
  /** A CocoonError, a PeerReportedError being relayed, or anything thrown (then CCN_ERR_INTERNAL). */
  error: unknown;
  /** `client.queryFinalInfo` / `proxy.queryFinalInfo` (flags bit 0 is set with it). */
  finalInfo?: TlObject;
}

/** The `ccn_code` an error travels with: its own, a relayed peer's (even one unknown here), else by the reference texts. */
export function cocoonCodeToSend(error: unknown): string {
  if (error instanceof CocoonError) return error.code;
  if (error instanceof PeerReportedError) {
    // An extension peer's code is relayed even when unknown here (the next hop may know it);
    // a reference peer's error (no code) is read by its texts, the way our client would.
    if (error.cocoonCode === undefined) return referenceErrorCode(error.wireCode, error.message);
    return wellFormedCocoonCode(error.cocoonCode) ?? cocoonCodeForWireCode(error.wireCode);
  }
  return 'CCN_ERR_INTERNAL';
}

/** The final error message for `hop` on a session with `extensions`. */
export function errorAnswerMessage(hop: ErrorAnswerHop, extensions: ReadonlySet<SessionExtension> | undefined, fields: ErrorAnswerFields): TlObject {
  const { code, message } = wireErrorOf(fields.error);
  const finalFields = fields.finalInfo ? { flags: 1, final_info: fields.finalInfo } : { flags: 0 };
  const base = { request_id: fields.requestId, error_code: code, error: message };
  if (extensions?.has('errorCodes')) return { _: CODED_NAMES[hop], ...base, ccn_code: cocoonCodeToSend(fields.error), ...finalFields };
  return { _: REFERENCE_NAMES[hop], ...base, ...finalFields };
}

/** Whether a message is a final error answer of `hop` (reference or coded). */
export function isErrorAnswer(hop: ErrorAnswerHop, message: TlObject): boolean {
  return message._ === REFERENCE_NAMES[hop] || message._ === CODED_NAMES[hop];
}

/** A received error answer (reference or coded) as a PeerReportedError; a malformed `ccn_code` counts as an unknown code (''). */
export function peerErrorOfAnswer(message: TlObject): PeerReportedError {
  const cocoonCode = message.ccn_code === undefined ? undefined : wellFormedCocoonCode(message.ccn_code) ?? '';
  return new PeerReportedError(message.error_code as number, message.error as string, cocoonCode);
}
