/**
 * Public API of the end-to-end encryption to attested workers (extension "e2e", docs/protocol.md §22),
 * browser-safe: the primitives port, HPKE caches, key pairs and signed key sets, the evidence verifier
 * port, request sealing/opening with the replay window, answer chunks, receipts, the proxy's routing
 * view and the client's per-request session.
 */
export { e2ePrimitives, setE2ePrimitives, nobleE2ePrimitives } from './e2e-primitives.ts';
export type { E2ePrimitives, E2eSha256Hasher } from './e2e-primitives.ts';
export { E2E_VERSION, FINAL_CHUNK_FLAG, e2eModelBaseName } from './e2e-labels.ts';
export { decodeE2eBoxed, encodeE2eBoxed } from './e2e-tl.ts';
export { webCryptoHpkeSetup, generateHpkeKeyPair } from './e2e-hpke.ts';
export type { E2eHpkeSetup } from './e2e-hpke.ts';
export { E2eHpkeSenderCache, E2eHpkeRecipientCache } from './e2e-hpke-caches.ts';
export type { E2eHpkeSenderCacheOptions, E2eHpkeRecipientCacheOptions } from './e2e-hpke-caches.ts';
export { generateE2eKeyPair } from './e2e-key-pair.ts';
export type { E2eKeyPair } from './e2e-key-pair.ts';
export { keySetSignedMessage, verifyKeySetSignature, buildE2eEvidence, e2eEvidenceHash } from './e2e-key-set.ts';
export type { E2eKeySetEntry } from './e2e-key-set.ts';
export type { VerifiedE2eKey, E2eEvidenceVerifier } from './e2e-evidence-verifier.ts';
export { E2eRequestSealer, e2eHeaderHash } from './e2e-request-sealer.ts';
export type { E2eHttpRequest, E2eSealInput, SealedE2eRequest, E2eRequestSealerOptions } from './e2e-request-sealer.ts';
export { E2eRequestOpener } from './e2e-request-opener.ts';
export type { OpenedE2eRequest, E2eRequestOpenerOptions } from './e2e-request-opener.ts';
export { E2eReplayWindow } from './e2e-replay-window.ts';
export type { E2eReplayVerdict, E2eReplayWindowOptions } from './e2e-replay-window.ts';
export { E2eAnswerSealer, E2eAnswerOpener } from './e2e-answer-chunks.ts';
export type { E2eAnswerOpenerOptions } from './e2e-answer-chunks.ts';
export { signReceipt, verifyReceiptSignature, receiptSignedMessage, checkE2eReceipt, e2eReceiptBodyFor } from './e2e-receipt.ts';
export type { VerifiedE2eReceipt, E2eReceiptFacts, E2eReceiptExpectation } from './e2e-receipt.ts';
export { isE2eRequestBytes, readE2eRequestRouting } from './e2e-request-routing.ts';
export { E2eRequestSession, E2eExchange } from './e2e-request-session.ts';
export type { E2eRequestSessionOptions, E2eWorkerRefusal, E2eOpenedChunk } from './e2e-request-session.ts';
