/**
 * A worker serving several proxies at once (docs/protocol.md §1.2): one WorkerProxyConnection per
 * proxy, all sharing the worker's query handler (so `max_active_requests` bounds them together), each
 * announcing `proxy_cnt` = the number of proxies served, so that each proxy allows this worker
 * `ceil(max_active_requests / proxy_cnt)` (the reference's per-proxy share). Availability and coefficient
 * changes go to every proxy; the worker is ready once one proxy session is.
 */
import { CocoonError } from '@cocoon/protocol';
import type { ReconnectingSessionState } from '@cocoon/attestation';
import { WorkerProxyConnection, type WorkerProxyConnectionOptions } from './worker-proxy-connection.ts';

export class WorkerProxyConnections {
  readonly connections: readonly WorkerProxyConnection[];

  /** `addresses`: the proxies' worker addresses (`host:port`); `base`: the options every connection shares. */
  constructor(addresses: readonly string[], base: Omit<WorkerProxyConnectionOptions, 'host' | 'port'>) {
    if (addresses.length === 0) throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'the worker has no proxy to serve', { param: 'proxy_addresses' });
    this.connections = addresses.map((address) => new WorkerProxyConnection({ ...base, ...splitHostPort(address) }));
  }

  /** How many proxy sessions are ready now. */
  get readyCount(): number {
    return this.connections.filter((connection) => connection.state === 'ready').length;
  }

  /** 'ready' while any proxy session is (one proxy: that connection's state). */
  get state(): ReconnectingSessionState {
    return this.readyCount > 0 ? 'ready' : this.connections[0]!.state;
  }

  /** The protocol version of the first ready session (§3.3); 0 while none is. */
  get protoVersion(): number {
    return this.connections.find((connection) => connection.state === 'ready')?.protoVersion ?? 0;
  }

  start(): void {
    for (const connection of this.connections) connection.start();
  }

  /** Resolves once the first proxy session is ready. */
  whenReady(): Promise<void> {
    return Promise.race(this.connections.map((connection) => connection.whenReady()));
  }

  announceAvailability(enabled: boolean): void {
    for (const connection of this.connections) connection.announceAvailability(enabled);
  }

  changeCoefficient(coefficient: number): void {
    for (const connection of this.connections) connection.changeCoefficient(coefficient);
  }

  close(): void {
    for (const connection of this.connections) connection.close();
  }
}

function splitHostPort(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  return { host: address.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(address.slice(colon + 1)) };
}

/**
 * The proxies a worker serves (§1.2): `proxy_addresses` in order, else `proxy_address`; with
 * `discover_proxies` the worker addresses of the root's registered proxies (`registered`, on chain).
 * At most `max_proxies`, no proxy twice. `proxyCount` is what `worker.params.proxy_cnt` announces: the
 * number of proxies served, or `proxy_connections` for the single configured proxy (as before).
 */
export function workerProxyTargets(
  config: { proxy_address: string; proxy_addresses: readonly string[]; discover_proxies: boolean; max_proxies: number; proxy_connections: number },
  registered: readonly string[] | undefined,
): { addresses: string[]; proxyCount: number } {
  if (config.discover_proxies) {
    if (registered === undefined) {
      throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'discover_proxies reads the root contract: it needs ton_endpoint and root_contract_address', { param: 'discover_proxies' });
    }
    const addresses = [...new Set(registered)].slice(0, config.max_proxies);
    if (addresses.length === 0) throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'discover_proxies: the root contract registers no proxy (registered_proxies is empty)', { param: 'discover_proxies' });
    return { addresses, proxyCount: addresses.length };
  }
  if (config.proxy_addresses.length === 0) return { addresses: [config.proxy_address], proxyCount: config.proxy_connections };
  const addresses = [...new Set(config.proxy_addresses)].slice(0, config.max_proxies);
  return { addresses, proxyCount: addresses.length };
}
