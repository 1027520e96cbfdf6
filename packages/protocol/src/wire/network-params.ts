/**
 * The network parameters every runner bills with (§5: price, worker fee, multipliers) and
 * the protocol versions. On chain they come from the root contract (through a
 * `NetworkParamsSource`); `DEV_NETWORK_PARAMS` are the values of an off-chain local network
 * (the dev root's values), where the proxy may override the prices from its config.
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
