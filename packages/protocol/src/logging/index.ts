/** Logging for all runners: one line per event (text or JSON), secrets redacted. */
export {
  createLogger, formatLogLine, formatLogValue, parseLogLevel, parseLogFormat, logSettingsFromEnv, LOG_FORMATS,
  type Logger, type LoggerOptions, type LogLevel, type LogFormat, type LogFields,
} from './create-logger.ts';
export { formatJsonLogLine, jsonLogValue } from './json-log-line.ts';
export { isSecretLogKey, redactSecrets, REDACTED } from './secret-redaction.ts';
export { logConfigFields } from './log-config-fields.ts';
