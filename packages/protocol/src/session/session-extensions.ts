/**
 * The COCOON-TS protocol extensions (docs/protocol.md §19) and how a session learns them: our
 * dialers offer the TLS ALPN protocol `cocoon-ext-1`, our listener selects it; a reference peer
 * neither offers nor selects ALPN, so its sessions have no extension and never see an `ext.*` message.
 */

/** The ALPN protocol id that stands for every extension of this version. */
export const COCOON_EXTENSIONS_ALPN = 'cocoon-ext-1';

/**
 * `cancel`: ext.cancelQuery; `credit`: ext.grantCredit per-request flow control; `errorCodes`: final
 * error answers carry our stable CCN_ERR_* code (ext.clientQueryAnswerErrorCoded / ext.proxyQueryAnswerErrorCoded);
 * `e2e`: end-to-end encryption to attested workers (§22: ext.workerE2eEvidence, ext.getE2eWorkers, sealed
 * ext.e2eRequest queries and ext.e2eAnswerChunk answers, ext.e2eReceipt); `market`: the app's routing preferences
 * (ext.runQueryWithPreferences) and the per-worker market view (ext.getMarket, §4.4).
 */
export type SessionExtension = 'cancel' | 'credit' | 'errorCodes' | 'e2e' | 'market';

const ALL_EXTENSIONS: ReadonlySet<SessionExtension> = new Set<SessionExtension>(['cancel', 'credit', 'errorCodes', 'e2e', 'market']);
const NO_EXTENSIONS: ReadonlySet<SessionExtension> = new Set<SessionExtension>();

/** The extensions a connection negotiated, from its TLS socket's selected ALPN protocol. */
export function extensionsOfAlpn(alpnProtocol: unknown): ReadonlySet<SessionExtension> {
  return alpnProtocol === COCOON_EXTENSIONS_ALPN ? ALL_EXTENSIONS : NO_EXTENSIONS;
}

/** Whether a TL message is one of ours (only ever sent where negotiated). */
export function isExtensionMessage(name: string): boolean {
  return name.startsWith('ext.');
}

/** Answer bytes a receiver grants each request before any ext.grantCredit (its initial window). */
export const INITIAL_ANSWER_CREDIT_BYTES = 1024 * 1024;
