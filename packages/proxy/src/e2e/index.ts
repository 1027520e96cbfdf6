/** The proxy's end-to-end encryption parts (docs/protocol.md §22): worker evidence, routing of sealed requests, the e2e worker listing. */
export { WorkerE2eEvidence, MAX_E2E_EVIDENCE_BYTES, MAX_E2E_KEYS, type E2eEvidenceOutcome } from './worker-e2e-evidence.ts';
export { e2eRouteOf, excludeNonRecipients, e2eRoutingError, clientReceipt, type E2eRoute } from './e2e-route.ts';
export { listE2eWorkers, e2eConnectionStats, MAX_LISTED_E2E_WORKERS, type E2eConnectionStats } from './list-e2e-workers.ts';
