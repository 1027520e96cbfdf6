/**
 * The root contract as a runner's `NetworkParamsSource` (§5, §6.9): maps the newest root
 * config a `RootConfigWatcher` accepted (only higher versions) to `NetworkParams` — is_test,
 * price, worker fee, the four multipliers and the root version — and forwards its changes.
 */
import type { NetworkParams, NetworkParamsListener, NetworkParamsSource } from '@cocoon/protocol';
import type { CocoonParams } from '../params/cocoon-params.ts';
import type { RootConfigListener } from './root-config-watcher.ts';
import type { RootConfig } from './root-state.ts';

/** What the adapter needs of a watcher (a `RootConfigWatcher`, or a fixed config in tests). */
export interface RootConfigFeed {
  readonly current: RootConfig;
  onChange(listener: RootConfigListener): () => void;
}

/** The pricing part of contract params, with `configVersion` = the root's `version`. */
export function networkParamsOf(params: CocoonParams, configVersion: number): NetworkParams {
  return {
    isTest: params.isTest,
    pricePerToken: params.pricePerToken,
    workerFeePerToken: params.workerFeePerToken,
    multipliers: {
      prompt: params.promptTokensPriceMultiplier,
      cached: params.cachedTokensPriceMultiplier,
      completion: params.completionTokensPriceMultiplier,
      reasoning: params.reasoningTokensPriceMultiplier,
    },
    configVersion,
  };
}

export class RootNetworkParamsSource implements NetworkParamsSource {
  private mapped: { config: RootConfig; params: NetworkParams } | undefined;

  constructor(private readonly feed: RootConfigFeed) {}

  current(): NetworkParams {
    return this.of(this.feed.current);
  }

  onChange(listener: NetworkParamsListener): () => void {
    return this.feed.onChange((next, previous) => listener(this.of(next), networkParamsOf(previous.params, previous.version)));
  }

  private of(config: RootConfig): NetworkParams {
    if (this.mapped?.config !== config) this.mapped = { config, params: networkParamsOf(config.params, config.version) };
    return this.mapped.params;
  }
}
