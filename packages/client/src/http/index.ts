/**
 * Public API of the client's OpenAI-compatible HTTP edge.
 */
export type { ClientStatsSource, GatewayAnswer, GatewayModel, GatewayRequest, GatewayUsage, GatewayWorker, GatewayWorkerMarket, InferenceGateway, InferencePath } from './inference-gateway.ts';
export { startClientHttpServer } from './client-http-server.ts';
export type { ClientHttpServer, ClientHttpServerOptions } from './client-http-server.ts';
export { openAiErrorAnswer, openAiErrorType } from './openai-error-body.ts';
export type { OpenAiErrorAnswer, OpenAiErrorBody, OpenAiErrorType } from './openai-error-body.ts';
export { DEFAULT_INFERENCE_SETTINGS, parseInferenceRequest } from './inference-request-parser.ts';
export type { InferenceDefaults, ParsedInferenceRequest } from './inference-request-parser.ts';
export { modelsListBody } from './models-list-body.ts';
export type { ModelsListBody, ModelsListEntry, ModelsListWorker } from './models-list-body.ts';
export { CONFIGURED_KEY_EXPIRE_AT, configuredEncryptionKeys, encryptionKeysBody, rootEncryptionKeys } from './encryption-keys-body.ts';
export type { EncryptionKeyEntry, EncryptionKeyRecord, EncryptionKeysBody, EncryptionKeysSource } from './encryption-keys-body.ts';
export { renderStatsPage } from '@cocoon/protocol';
export { ReceiverKeyPolicy, configuredReceiverKeys } from './receiver-key-policy.ts';
export type { ReceiverKeySource } from './receiver-key-policy.ts';
export { APP_CONTENT_SECURITY_POLICY, APP_PATH, AppDirectory, handleAppRoute, isAppPath } from './app-directory-route.ts';
export { TELEGRAM_GATED_PATHS, TELEGRAM_INIT_DATA_HEADER, TelegramInitDataGate, TelegramRateLimitError, readTelegramBotTokenFile, verifyTelegramInitData } from './telegram-auth/index.ts';
export type { TelegramInitDataGateOptions } from './telegram-auth/index.ts';
