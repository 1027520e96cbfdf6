/**
 * The client runner's Telegram Mini App door (config `telegram_bot_token_file`, off by default): every request
 * that spends the runner's TON (inference, the Telegram task routes, the e2e relay) must carry valid
 * `X-Telegram-Init-Data` of the configured bot (401 otherwise) and fit its user's per-minute budget (429 with
 * Retry-After). Listing workers, collateral, models, receipts and the page stay open: they cost nothing. The
 * control endpoints keep their admin token. The bot token is read once at start from a file only its owner may
 * read; neither it nor any init data is ever logged or quoted.
 */
import { readFileSync, statSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { CocoonError } from '@cocoon/protocol';
import { TELEGRAM_INIT_DATA_HEADER, telegramSecretKey, verifyTelegramInitData } from './telegram-init-data.ts';
import { TelegramUserRateLimiter } from './telegram-user-rate-limiter.ts';

/** The paths that spend: they need init data when the gate is on. */
export const TELEGRAM_GATED_PATHS: ReadonlySet<string> = new Set([
  '/v1/chat/completions', '/v1/completions', '/v1/summarize', '/v1/translate', '/v1/audio/transcriptions', '/v1/e2e/requests',
]);
const BOT_TOKEN_PATTERN = /^[0-9]{1,20}:[A-Za-z0-9_-]{20,100}$/;

export interface TelegramInitDataGateOptions {
  botToken: string;
  /** Default 86400 (config telegram_init_data_max_age_seconds). */
  maxAgeSeconds?: number;
  /** Default 30; 0 = unlimited (config telegram_user_requests_per_minute). */
  userRequestsPerMinute?: number;
  /** Live per-user windows kept at most (default 100 000). */
  maxTrackedUsers?: number;
  /** The clock, ms. */
  now?: () => number;
}

export class TelegramInitDataGate {
  readonly #secretKey: Buffer;
  readonly #maxAgeSeconds: number;
  readonly #limiter: TelegramUserRateLimiter | undefined;
  readonly #now: () => number;

  constructor(options: TelegramInitDataGateOptions) {
    if (!BOT_TOKEN_PATTERN.test(options.botToken)) throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'the Telegram bot token is not of the form <bot id>:<secret>', { param: 'telegram_bot_token_file' });
    this.#secretKey = telegramSecretKey(options.botToken);
    this.#maxAgeSeconds = options.maxAgeSeconds ?? 86_400;
    this.#now = options.now ?? Date.now;
    const perMinute = options.userRequestsPerMinute ?? 30;
    this.#limiter = perMinute > 0 ? new TelegramUserRateLimiter({ requestsPerMinute: perMinute, now: this.#now, ...(options.maxTrackedUsers ? { maxUsers: options.maxTrackedUsers } : {}) }) : undefined;
  }

  /** Whether `path` needs init data. */
  guards(path: string): boolean {
    return TELEGRAM_GATED_PATHS.has(path);
  }

  /**
   * Admits one request on a gated path or throws: CCN_ERR_HTTP_UNAUTHORIZED (401) for missing or invalid init
   * data, TelegramRateLimitError (CCN_ERR_HTTP_RATE_LIMITED, 429) for a user over the limit. Returns the user id.
   */
  admit(headers: IncomingHttpHeaders): number {
    const header = headers[TELEGRAM_INIT_DATA_HEADER];
    const initData = Array.isArray(header) ? (header.length === 1 ? header[0] : '') : header;
    const { userId } = verifyTelegramInitData(initData, this.#secretKey, { nowSeconds: Math.floor(this.#now() / 1000), maxAgeSeconds: this.#maxAgeSeconds });
    const decision = this.#limiter?.admit(userId) ?? { admitted: true };
    if (!decision.admitted) throw new TelegramRateLimitError(decision.retryAfterSeconds);
    return userId;
  }
}

/** 429 with the seconds until the user's window ends (the edge sends them as Retry-After). */
export class TelegramRateLimitError extends CocoonError {
  constructor(readonly waitSeconds: number) {
    super('CCN_ERR_HTTP_RATE_LIMITED', `this Telegram user is over telegram_user_requests_per_minute; retry in ${waitSeconds} s`, { param: TELEGRAM_INIT_DATA_HEADER });
  }

  override get retryAfterSeconds(): number {
    return this.waitSeconds;
  }
}

/**
 * The bot token in `path` (surrounding whitespace trimmed). Refused (CCN_ERR_CONFIG_INVALID) when the file is
 * missing, readable by its group or others (chmod 600), or not a bot token. Messages name the file, never its text.
 */
export function readTelegramBotTokenFile(path: string): string {
  let mode: number;
  let text: string;
  try {
    mode = statSync(path).mode;
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', `cannot read the Telegram bot token file ${path} (${reason})`, { param: 'telegram_bot_token_file' });
  }
  if ((mode & 0o077) !== 0) {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', `the Telegram bot token file ${path} is readable by group or others (mode ${(mode & 0o777).toString(8)}): chmod 600 it`, { param: 'telegram_bot_token_file' });
  }
  const token = text.trim();
  if (!BOT_TOKEN_PATTERN.test(token)) throw new CocoonError('CCN_ERR_CONFIG_INVALID', `the Telegram bot token file ${path} does not hold a bot token (<bot id>:<secret>, as @BotFather gives it)`, { param: 'telegram_bot_token_file' });
  return token;
}
