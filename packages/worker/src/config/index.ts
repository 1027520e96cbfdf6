/** Worker runner configuration. */
export { workerConfigSchema, modelStringSchema, DEV_WORKER_MODEL, type WorkerConfig, type WorkerConfigInput } from './worker-config.ts';
