/**
 * The proxy's `NetworkParamsSource` on chain (§5.2, §6.7): the params of the proxy contract it
 * serves now — what that contract and its client contracts charge with — so billing follows
 * the root's price only once the proxy has moved to contracts on the new params. Changes
 * when `ProxyInstances` switches to a new instance.
 */
import type { NetworkParams, NetworkParamsListener, NetworkParamsSource } from '@cocoon/protocol';
import { networkParamsOf } from '@cocoon/ton';
import type { ProxyInstances } from './proxy-instances.ts';

export class InstanceNetworkParamsSource implements NetworkParamsSource {
  private readonly listeners = new Set<NetworkParamsListener>();
  private previous: NetworkParams;

  constructor(private readonly instances: Pick<ProxyInstances, 'settlement' | 'onSwitched'>) {
    this.previous = this.current();
    instances.onSwitched(() => {
      const next = this.current();
      const previous = this.previous;
      this.previous = next;
      for (const listener of this.listeners) listener(next, previous);
    });
  }

  current(): NetworkParams {
    const { settlement } = this.instances;
    return networkParamsOf(settlement.params, settlement.configVersion);
  }

  onChange(listener: NetworkParamsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
