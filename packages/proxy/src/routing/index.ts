/** Proxy routing: worker registry, worker selection (§4.4) and the retry policy. */
export { RegisteredWorker, type WorkerRegistration, type WorkerAttestationView, type WorkerConnectionStats, type WorkerRequestHandle } from './registered-worker.ts';
export { WorkerRegistry, perProxyMaxActiveRequests, type ModelListing, type WorkerRegistryOptions } from './worker-registry.ts';
export { RetryPolicy, type RetryPolicyOptions } from './retry-policy.ts';
