/**
 * The proxy config's `market_*` keys (docs/protocol.md §4.4): the weights of the market score and
 * its decay and cooldown times, each with the default of DEFAULT_MARKET_SETTINGS, and their
 * translation into the registry's MarketSettings.
 */
import { z } from 'zod';
import { DEFAULT_MARKET_SETTINGS, type MarketSettings } from '../routing/index.ts';

const weight = (fallback: number) => z.number().finite().min(0).max(1_000_000).default(fallback);
const positive = (fallback: number, max: number) => z.number().finite().positive().max(max).default(fallback);
const DAY_MS = 86_400_000;

export const marketConfigFields = {
  /** Weight of the price term coefficient / 1000. */
  market_price_weight: weight(DEFAULT_MARKET_SETTINGS.priceWeight),
  /** Weight of the latency term ttft_p50 / market_latency_reference_ms. */
  market_latency_weight: weight(DEFAULT_MARKET_SETTINGS.latencyWeight),
  market_latency_reference_ms: positive(DEFAULT_MARKET_SETTINGS.latencyReferenceMs, DAY_MS),
  /** Weight of the throughput term market_throughput_reference_tps / tokens_per_second. */
  market_throughput_weight: weight(DEFAULT_MARKET_SETTINGS.throughputWeight),
  market_throughput_reference_tps: positive(DEFAULT_MARKET_SETTINGS.throughputReferenceTps, 1_000_000),
  /** Weight of the load term running × average query time / market_load_reference_ms (the reference's rule). */
  market_load_weight: weight(DEFAULT_MARKET_SETTINGS.loadWeight),
  market_load_reference_ms: positive(DEFAULT_MARKET_SETTINGS.loadReferenceMs, DAY_MS),
  /** Weight of the reliability term 1 − success_rate. */
  market_reliability_weight: weight(DEFAULT_MARKET_SETTINGS.reliabilityWeight),
  market_reliability_half_life_ms: positive(DEFAULT_MARKET_SETTINGS.reliabilityHalfLifeMs, DAY_MS),
  market_throughput_half_life_ms: positive(DEFAULT_MARKET_SETTINGS.throughputHalfLifeMs, DAY_MS),
  /** A worker that failed within this time is skipped unless no other is eligible (0 = never skipped). */
  market_failure_cooldown_ms: z.number().int().min(0).max(DAY_MS).default(DEFAULT_MARKET_SETTINGS.failureCooldownMs),
};

type MarketConfig = { [Key in keyof typeof marketConfigFields]: z.output<(typeof marketConfigFields)[Key]> };

export function marketSettingsOfConfig(config: MarketConfig): MarketSettings {
  return {
    priceWeight: config.market_price_weight,
    latencyWeight: config.market_latency_weight,
    latencyReferenceMs: config.market_latency_reference_ms,
    throughputWeight: config.market_throughput_weight,
    throughputReferenceTps: config.market_throughput_reference_tps,
    loadWeight: config.market_load_weight,
    loadReferenceMs: config.market_load_reference_ms,
    reliabilityWeight: config.market_reliability_weight,
    reliabilityHalfLifeMs: config.market_reliability_half_life_ms,
    throughputHalfLifeMs: config.market_throughput_half_life_ms,
    failureCooldownMs: config.market_failure_cooldown_ms,
  };
}
