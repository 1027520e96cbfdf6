/**
 * @cocoon/sdk — what an app needs to use COCOON, browser-safe (no Node built-ins): `createCocoon`, the
 * typed SDK (chat and legacy completions streamed or not, models, summarize, translate, transcribe,
 * attestation verdicts), and `cocoonFetch`, a fetch for the official `openai` client (or any fetch
 * caller). Both seal every inference request on this device to workers whose attestation this device
 * verified, through a client runner used as a blind relay, and verify every answer's receipt.
 */
export { createCocoon, CocoonClient } from './cocoon-client.ts';
export type { Cocoon, CocoonOptions, CocoonChatCompletion, CocoonCompletion, CocoonChatCompletions, CocoonCompletions } from './cocoon-client.ts';
export { CocoonStream } from './cocoon-stream.ts';
export type { SummarizeParams, TranslateParams, TranscribeParams, TaskResult } from './cocoon-tasks.ts';
export { MAX_TASK_TEXT_CHARS, MAX_SUMMARY_WORDS, MAX_LANGUAGE_CHARS } from './cocoon-tasks.ts';
export type { AttestationVerdict, AttestedWorkerKey, AttestationRefusal } from './attestation-verdict.ts';
export { authorityLabel } from './attestation-verdict.ts';
export type { CocoonPolicy, CocoonAuthority, AuthorityEvidenceVerifier } from './cocoon-policy.ts';
export { rootCertificateDer } from './cocoon-policy.ts';
export { CocoonRequestError, toCocoonRequestError } from './cocoon-request-error.ts';
export type { CocoonRequestErrorOptions } from './cocoon-request-error.ts';
export { cocoonFetch, cocoonReceipt, type CocoonFetchOptions } from './cocoon-fetch.ts';
export { DEFAULT_MAX_RECIPIENTS, E2eTransport, runnerRoot } from './e2e-transport.ts';
export type { E2eTransportOptions } from './e2e-transport.ts';
export type { RunnerHeaders } from './runner-headers.ts';
export { RelayCollateralSource, E2E_COLLATERAL_PATH } from './relay-collateral-source.ts';
export { formatNanotonAsTon } from './receipt-summary.ts';
export type { CocoonReceiptSummary } from './receipt-summary.ts';
export { chooseTextModel, chooseAudioModel, isAudioModelName } from './model-choice.ts';
export { fetchE2eWorkers, type E2eWorkersListing, type E2eWorkersTrust } from './e2e-workers-listing.ts';
export type * from './openai-shapes.ts';
export { CocoonError, isCocoonError, isRetryable } from '@cocoon/protocol/browser';
export type { CocoonErrorCode, E2eEvidenceVerifier, VerifiedE2eKey } from '@cocoon/protocol/browser';
