/** Public API of the worker's model handling: identities, file verification, the model cache and downloader, the model switch. */
export { parseModelIdentity, formatModelIdentity, modelIdentityHash, verifyModelFile, sha256OfFile, isSha256Hex } from './model-identity.ts';
export type { ModelIdentity } from './model-identity.ts';
export { parseModelSource, modelSourceUrl, modelSourceName, formatModelSource, HUGGING_FACE_BASE_URL } from './model-source.ts';
export type { ModelSource } from './model-source.ts';
export { defaultModelsDir, cachedModelPath, listCachedModels, readModelRecord, writeModelRecord, MODEL_SIDECAR_SUFFIX, PARTIAL_SUFFIX } from './model-cache.ts';
export type { CachedModel, CachedModelRecord } from './model-cache.ts';
export { downloadModel } from './model-downloader.ts';
export type { DownloadProgress, ModelDownloadOptions, ModelDownloadResult } from './model-downloader.ts';
export { DownloadProgressRenderer, formatBytes, formatDownloadProgress } from './download-progress.ts';
export type { ProgressWriter } from './download-progress.ts';
export { WorkerModelSwitch } from './worker-model-switch.ts';
export type { ModelSwitchStatus, WorkerModelSwitchOptions } from './worker-model-switch.ts';
export { runModelSwitchScript } from './model-switch-script.ts';
export type { ModelSwitchScriptOptions, ModelSwitchScriptResult } from './model-switch-script.ts';
