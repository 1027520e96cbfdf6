/**
 * Telegram Mini App init data (`Telegram.WebApp.initData`) checked as Telegram documents it
 * (core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app): the data-check-string is
 * every field but `hash`, sorted by key, `key=value` joined by "\n"; the secret key is
 * HMAC-SHA256(key "WebAppData", message bot token); the hash is the hex HMAC-SHA256(secret key,
 * data-check-string), compared in constant time. `auth_date` must be within the allowed age and `user` a
 * JSON object with a numeric `id`. Refusals are CCN_ERR_HTTP_UNAUTHORIZED and never quote the init data.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { CocoonError } from '@cocoon/protocol';

/** The header a Mini App sends its raw init data in. */
export const TELEGRAM_INIT_DATA_HEADER = 'x-telegram-init-data';
/** Longer init data is refused unread (Telegram's is a few hundred bytes). */
const MAX_INIT_DATA_CHARS = 8192;
/** How far in the future `auth_date` may lie (clock skew). */
const MAX_FUTURE_SKEW_SECONDS = 300;
const HASH_PATTERN = /^[0-9a-f]{64}$/;

export interface TelegramInitDataCheck {
  /** Unix seconds now. */
  nowSeconds: number;
  /** How old `auth_date` may be, seconds. */
  maxAgeSeconds: number;
}

/** What a valid init data says. */
export interface TelegramInitDataUser {
  userId: number;
  authDate: number;
}

function refuse(reason: string): CocoonError {
  return new CocoonError('CCN_ERR_HTTP_UNAUTHORIZED', `Telegram init data ${reason}`, { param: TELEGRAM_INIT_DATA_HEADER });
}

/** The secret key of a bot's init data hashes: HMAC-SHA256 keyed "WebAppData" over the bot token. */
export function telegramSecretKey(botToken: string): Buffer {
  return createHmac('sha256', 'WebAppData').update(botToken, 'utf8').digest();
}

/** The data-check-string of parsed fields (every field but `hash`, sorted by key). */
export function telegramDataCheckString(fields: ReadonlyMap<string, string>): string {
  return [...fields].filter(([key]) => key !== 'hash').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, value]) => `${key}=${value}`).join('\n');
}

/** The hex hash Telegram puts in `hash` for these fields (tests sign with it; the check recomputes it). */
export function telegramInitDataHash(fields: ReadonlyMap<string, string>, secretKey: Buffer): string {
  return createHmac('sha256', secretKey).update(telegramDataCheckString(fields), 'utf8').digest('hex');
}

/** The fields of an init data query string; a repeated or empty key is malformed. */
function parseFields(initData: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(initData)) {
    if (key === '' || fields.has(key)) throw refuse('is malformed (an empty or repeated field)');
    fields.set(key, value);
  }
  return fields;
}

/**
 * Checks `initData` against the bot's secret key (from telegramSecretKey; computed once per runner) and the clock.
 * Throws CCN_ERR_HTTP_UNAUTHORIZED: missing, malformed, bad hash, expired, no user id.
 */
export function verifyTelegramInitData(initData: string | undefined, secretKey: Buffer, check: TelegramInitDataCheck): TelegramInitDataUser {
  if (initData === undefined || initData.trim() === '') throw refuse(`is missing: send Telegram.WebApp.initData in the ${TELEGRAM_INIT_DATA_HEADER} header`);
  if (initData.length > MAX_INIT_DATA_CHARS) throw refuse(`is malformed (longer than ${MAX_INIT_DATA_CHARS} characters)`);
  const fields = parseFields(initData);
  const given = fields.get('hash');
  if (given === undefined || !HASH_PATTERN.test(given.toLowerCase())) throw refuse('is malformed (no hash of 64 hex digits)');
  const expected = Buffer.from(telegramInitDataHash(fields, secretKey), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(given.toLowerCase(), 'hex'))) throw refuse('has a bad hash (not signed for this bot, or altered)');
  const authDateText = fields.get('auth_date');
  if (authDateText === undefined || !/^\d{1,12}$/.test(authDateText)) throw refuse('is malformed (no auth_date)');
  const authDate = Number(authDateText);
  if (check.nowSeconds - authDate > check.maxAgeSeconds) throw refuse(`has expired (auth_date older than ${check.maxAgeSeconds} s): reopen the Mini App`);
  if (authDate - check.nowSeconds > MAX_FUTURE_SKEW_SECONDS) throw refuse('is malformed (auth_date in the future)');
  return { userId: userIdOf(fields.get('user')), authDate };
}

function userIdOf(userJson: string | undefined): number {
  if (userJson === undefined) throw refuse('is malformed (no user)');
  let user: unknown;
  try {
    user = JSON.parse(userJson);
  } catch {
    throw refuse('is malformed (user is not JSON)');
  }
  const id = typeof user === 'object' && user !== null && !Array.isArray(user) ? (user as { id?: unknown }).id : undefined;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) throw refuse('is malformed (user has no numeric id)');
  return id;
}
