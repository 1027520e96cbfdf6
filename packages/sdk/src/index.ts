/**
 * @cocoon/sdk — what an app needs to use COCOON, browser-safe (no Node built-ins): `cocoonFetch`, a
 * fetch for the official `openai` client (or any fetch caller) that sends inference requests end to
 * end encrypted to attested workers through a client runner and verifies every answer's receipt.
 */
export { cocoonFetch, cocoonReceipt, DEFAULT_MAX_RECIPIENTS, type CocoonFetchOptions } from './cocoon-fetch.ts';
export type { CocoonReceiptSummary } from './receipt-summary.ts';
export { fetchE2eWorkers, type E2eWorkersListing, type E2eWorkersTrust } from './e2e-workers-listing.ts';
export type { E2eEvidenceVerifier, VerifiedE2eKey } from '@cocoon/protocol';
