/** Worker runner configuration. */
export { workerConfigSchema, modelStringSchema, DEV_WORKER_MODEL, advertisedWorkerModel, defaultLlamaThreads, type WorkerConfig, type WorkerConfigInput } from './worker-config.ts';
