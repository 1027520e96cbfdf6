/** Framed COCOON sessions over verified byte streams, and the negotiated extensions (§19). */
export { CocoonSession, wireErrorOf } from './cocoon-session.ts';
export type { CocoonSessionOptions, CocoonSessionEvents, QueryReply, SessionRole } from './cocoon-session.ts';
export { COCOON_EXTENSIONS_ALPN, INITIAL_ANSWER_CREDIT_BYTES, extensionsOfAlpn, isExtensionMessage } from './session-extensions.ts';
export type { SessionExtension } from './session-extensions.ts';
export { cocoonCodeToSend, errorAnswerMessage, isErrorAnswer, peerErrorOfAnswer } from './error-answer-message.ts';
export type { ErrorAnswerFields, ErrorAnswerHop } from './error-answer-message.ts';
