/** @cocoon/worker — the worker runner: request validation, engines, SSE-aware billing. */
export { startWorkerRunner, type WorkerRunnerDeps } from './worker-runner.ts';
export * from './config/index.ts';
export * from './request/index.ts';
export * from './accounting/index.ts';
export * from './engine/index.ts';
export * from './models/index.ts';
