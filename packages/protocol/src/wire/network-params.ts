/**
 * Network parameters that the root contract will provide once the TON issue lands
 * (prices, fee, multipliers, protocol versions). Until then every runner of a local
 * network uses these dev values; the proxy may override prices from its config.
 */
import type { PriceMultipliers } from '../pricing/index.ts';

export interface NetworkParams {
  isTest: boolean;
  pricePerToken: bigint;
  workerFeePerToken: bigint;
  multipliers: PriceMultipliers;
  /** Root contract `version` the runners have seen (0 without a chain). */
  configVersion: number;
}

export const PROTOCOL_VERSION_MIN = 1;
export const PROTOCOL_VERSION_MAX = 2;

export const DEV_NETWORK_PARAMS: NetworkParams = Object.freeze({
  isTest: true,
  pricePerToken: 20n,
  workerFeePerToken: 19n,
  multipliers: Object.freeze({ prompt: 10_000, cached: 10_000, completion: 10_000, reasoning: 10_000 }),
  configVersion: 0,
});
