/**
 * Where a runner reads the network parameters (§5: price, worker fee, the four multipliers):
 * one `NetworkParamsSource` per runner, read per request. On chain it follows the root
 * contract (@cocoon/ton's `RootNetworkParamsSource`); off chain the runner picks a
 * `StaticNetworkParamsSource` (the dev params) explicitly.
 */
import type { NetworkParams } from './network-params.ts';

export type NetworkParamsListener = (next: NetworkParams, previous: NetworkParams) => void;

export interface NetworkParamsSource {
  /** The newest accepted parameters; call it per request, never cache the result across requests. */
  current(): NetworkParams;
  /** Called after every accepted change. Returns an unsubscribe function. */
  onChange(listener: NetworkParamsListener): () => void;
}

/** Parameters that never change: off chain (a local network without a root contract) and tests. */
export class StaticNetworkParamsSource implements NetworkParamsSource {
  constructor(private readonly params: NetworkParams) {}

  current(): NetworkParams {
    return this.params;
  }

  onChange(): () => void {
    return () => undefined;
  }
}
