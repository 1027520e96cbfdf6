/** Telegram Mini App init-data authentication and per-user limits on the client runner's HTTP edge. */
export { TELEGRAM_GATED_PATHS, TelegramInitDataGate, TelegramRateLimitError, readTelegramBotTokenFile } from './telegram-init-data-gate.ts';
export type { TelegramInitDataGateOptions } from './telegram-init-data-gate.ts';
export { TELEGRAM_INIT_DATA_HEADER, telegramDataCheckString, telegramInitDataHash, telegramSecretKey, verifyTelegramInitData } from './telegram-init-data.ts';
export type { TelegramInitDataCheck, TelegramInitDataUser } from './telegram-init-data.ts';
export { TelegramUserRateLimiter } from './telegram-user-rate-limiter.ts';
export type { RateDecision, TelegramUserRateLimiterOptions } from './telegram-user-rate-limiter.ts';
