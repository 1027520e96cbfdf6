/**
 * The proxy's answer to `ext.getMarket` (§4.4, §19): every model with enabled workers and, per
 * worker (cheapest first), its price coefficient, load, measured TTFT median and tokens per second
 * (flags bits 0 and 1, absent before a measurement), success rate, cooldown and market score.
 */
import type { ExtMarket, ExtMarketWorker } from '@cocoon/protocol';
import type { ModelListing } from './worker-registry.ts';

export function marketAnswer(listings: readonly ModelListing[]): ExtMarket {
  return {
    _: 'ext.market',
    models: listings.map((listing) => ({
      _: 'ext.marketModel',
      name: listing.id,
      workers: listing.workers.map((worker): ExtMarketWorker => {
        const { market } = worker;
        const flags = (market.ttft_p50_ms === undefined ? 0 : 1) | (market.tokens_per_second === undefined ? 0 : 2);
        return {
          _: 'ext.marketWorker',
          flags,
          coefficient: worker.coefficient,
          active_requests: worker.runningRequests,
          max_active_requests: worker.maxRunningRequests,
          success_rate: market.success_rate,
          cooling_down: market.cooling_down,
          score: market.score,
          ...(market.ttft_p50_ms === undefined ? {} : { ttft_ms: market.ttft_p50_ms }),
          ...(market.tokens_per_second === undefined ? {} : { tokens_per_second: market.tokens_per_second }),
        };
      }),
    })),
  };
}
