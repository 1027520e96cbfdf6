/** Logging for all runners: one line per event, secrets redacted. */
export { createLogger, formatLogLine, formatLogValue, parseLogLevel, type Logger, type LoggerOptions, type LogLevel, type LogFields } from './create-logger.ts';
export { isSecretLogKey, redactSecrets, REDACTED } from './secret-redaction.ts';
