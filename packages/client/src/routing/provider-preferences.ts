/**
 * The app's provider preferences (§4.1, §4.4), in the spirit of OpenRouter's: the request body's
 * client-only `provider` object `{ sort: "price" | "latency" | "throughput", max_price: nanoTON per
 * token (number or decimal string), allow_fallbacks: bool }`, strictly checked (an unknown key is a
 * 400 naming it). `max_price` becomes a `max_coefficient` at the network price
 * (floor(max_price × 1000 / price_per_token), exact in bigint); sort and allow_fallbacks travel only
 * on a session that negotiated `market`, in `ext.runQueryWithPreferences`. A reference proxy gets the
 * plain `client.runQueryEx` (its max_coefficient honours max_price) and the rest is dropped with a log line.
 */
import { CocoonError } from '@cocoon/protocol';
import type { ClientRunQueryEx, ExtRunQueryWithPreferences, Logger, SessionExtension } from '@cocoon/protocol';

export type ProviderSort = 'price' | 'latency' | 'throughput';

export interface ProviderPreferences {
  sort?: ProviderSort;
  /** nanoTON per adjusted token, as a canonical decimal string (digits, optionally `.` digits). */
  maxPriceNanoton?: string;
  allowFallbacks?: boolean;
}

/** What a proxy connection sends for one request: the reference's message, or ours with the preferences. */
export type ClientQueryMessage = ClientRunQueryEx | ExtRunQueryWithPreferences;

const SORTS: readonly ProviderSort[] = ['price', 'latency', 'throughput'];
const KEYS = ['sort', 'max_price', 'allow_fallbacks'];
/** Largest value a TL `int` carries (max_coefficient travels as one). */
const INT32_MAX = 2_147_483_647;
const DECIMAL = /^(\d{1,30})(?:\.(\d{1,30}))?$/;

function invalid(param: string, message: string): CocoonError {
  return new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', `'${param}' ${message}`, { param });
}

/** `max_price` as a canonical decimal string; a number is taken at its shortest decimal form. */
function readMaxPrice(value: unknown): string {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw invalid('provider.max_price', 'must be a non-negative number of nanoTON per token');
    text = /e/i.test(String(value)) ? value.toFixed(20).replace(/\.?0+$/, '') : String(value);
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    throw invalid('provider.max_price', 'must be a number or a decimal string of nanoTON per token');
  }
  if (!DECIMAL.test(text)) throw invalid('provider.max_price', 'must be a non-negative decimal number of nanoTON per token');
  return text;
}

/** The body's `provider` object (undefined when absent); throws a 400 naming the offending key. */
export function parseProviderPreferences(value: unknown): ProviderPreferences | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('provider', 'must be an object');
  const fields = value as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!KEYS.includes(key)) throw invalid(`provider.${key}`, `is not supported (the proxy honours ${KEYS.join(', ')})`);
  }
  const preferences: ProviderPreferences = {};
  if (fields['sort'] !== undefined) {
    const sort = fields['sort'];
    if (typeof sort !== 'string' || !(SORTS as readonly string[]).includes(sort)) throw invalid('provider.sort', `must be one of ${SORTS.join(', ')}`);
    preferences.sort = sort as ProviderSort;
  }
  if (fields['max_price'] !== undefined) preferences.maxPriceNanoton = readMaxPrice(fields['max_price']);
  if (fields['allow_fallbacks'] !== undefined) {
    if (typeof fields['allow_fallbacks'] !== 'boolean') throw invalid('provider.allow_fallbacks', 'must be a boolean');
    preferences.allowFallbacks = fields['allow_fallbacks'];
  }
  return preferences;
}

/**
 * The highest coefficient whose price stays within `maxPriceNanoton` per token:
 * floor(max_price × 1000 / price_per_token), computed exactly; at most 2^31 − 1 (also for a free network).
 */
export function maxCoefficientForPrice(maxPriceNanoton: string, pricePerToken: bigint): number {
  const match = DECIMAL.exec(maxPriceNanoton);
  if (!match) throw invalid('provider.max_price', 'must be a non-negative decimal number of nanoTON per token');
  if (pricePerToken <= 0n) return INT32_MAX;
  const fraction = match[2] ?? '';
  const numerator = BigInt(match[1]! + fraction) * 1000n;
  const denominator = pricePerToken * 10n ** BigInt(fraction.length);
  const coefficient = numerator / denominator;
  return coefficient > BigInt(INT32_MAX) ? INT32_MAX : Number(coefficient);
}

/** Whether the preferences need our message (a sort or a fallback choice; max_price alone fits runQueryEx). */
export function needsPreferencesMessage(preferences: ProviderPreferences | undefined): boolean {
  return preferences !== undefined && (preferences.sort !== undefined || preferences.allowFallbacks !== undefined);
}

/** ext.runQueryWithPreferences carrying `query`'s fields plus the sort ("" = the proxy's score) and fallback choice. */
export function withPreferences(query: ClientRunQueryEx, preferences: ProviderPreferences): ExtRunQueryWithPreferences {
  const { _: _name, ...fields } = query;
  return { ...fields, _: 'ext.runQueryWithPreferences', sort: preferences.sort ?? '', allow_fallbacks: preferences.allowFallbacks ?? true };
}

/**
 * What actually goes out on a session: ext.runQueryWithPreferences only where `market` was negotiated;
 * on any other session (a reference proxy) the plain client.runQueryEx, the preferences dropped with a log line.
 */
export function queryForSession(query: ClientQueryMessage, extensions: ReadonlySet<SessionExtension>, logger?: Logger): ClientQueryMessage {
  if (query._ !== 'ext.runQueryWithPreferences' || extensions.has('market')) return query;
  const { _: _name, sort, allow_fallbacks: allowFallbacks, ...fields } = query;
  logger?.info('provider preferences dropped: the proxy does not speak the market extension', { sort: sort || 'none', allow_fallbacks: allowFallbacks });
  return { ...fields, _: 'client.runQueryEx' };
}

/** The request's max_coefficient: the app's (or default) limit, capped by max_price at the network price when given. */
export function effectiveMaxCoefficient(maxCoefficient: number, preferences: ProviderPreferences | undefined, pricePerToken: bigint): number {
  if (preferences?.maxPriceNanoton === undefined) return maxCoefficient;
  return Math.min(maxCoefficient, maxCoefficientForPrice(preferences.maxPriceNanoton, pricePerToken));
}

/** `query` as it leaves the gateway: with the sort and fallback preference where the app gave one. */
export function queryWithPreferences(query: ClientRunQueryEx, preferences: ProviderPreferences | undefined): ClientQueryMessage {
  return preferences !== undefined && needsPreferencesMessage(preferences) ? withPreferences(query, preferences) : query;
}
