/** The worker's end-to-end encryption (e2e design): key rotation, evidence announcements, sealed request serving. */
export { E2eKeyRotation, type E2eKeyChange, type E2eKeyRotationOptions, type E2eKeyTimers } from './e2e-key-rotation.ts';
export { E2eEvidenceAnnouncer, type E2eEvidenceAnnouncerOptions } from './e2e-evidence-announcer.ts';
export { E2eServedRequest, isWorkerE2eQuery, type E2eReceiptFields, type WorkerE2eContext } from './e2e-served-request.ts';
export { WorkerE2e, type WorkerE2eOptions } from './worker-e2e.ts';
