/**
 * The app's routing preferences as the proxy receives them in `ext.runQueryWithPreferences`
 * (§4.1, §4.4, §19): `sort` ("" = the market score, or price / latency / throughput first) and
 * `allow_fallbacks` (false: only the best-ranked worker is tried, no retry on another one).
 * An unknown sort is a bad request, never silently ignored.
 */
import { CocoonError } from '@cocoon/protocol';

export type MarketSort = 'price' | 'latency' | 'throughput';

export const MARKET_SORTS: readonly MarketSort[] = ['price', 'latency', 'throughput'];

export interface RoutingPreferences {
  sort?: MarketSort;
  /** Default true: a failed attempt may be retried on the next-best worker (§4.4 retries). */
  allowFallbacks: boolean;
}

/** The wire `sort` string as a MarketSort (undefined for ""); CCN_ERR_HTTP_BAD_REQUEST for anything else. */
export function parseMarketSort(text: string): MarketSort | undefined {
  if (text === '') return undefined;
  if ((MARKET_SORTS as readonly string[]).includes(text)) return text as MarketSort;
  throw new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', `invalid runQueryEx: sort must be one of ${MARKET_SORTS.join(', ')} or empty`, { param: 'sort' });
}

/** The preferences of an ext.runQueryWithPreferences message. */
export function routingPreferencesOf(message: { sort: string; allow_fallbacks: boolean }): RoutingPreferences {
  const sort = parseMarketSort(message.sort);
  return { ...(sort === undefined ? {} : { sort }), allowFallbacks: message.allow_fallbacks };
}
