/**
 * Which proxies the client keeps sessions to (docs/protocol.md §1.2): `proxy_addresses` in their order,
 * else `proxy_address`; with `discover_proxies` (on chain) the root's registered proxies, of which a
 * uniform random choice as the reference's targets. At most `max_proxies`, no proxy twice.
 */
import { CocoonError } from '@cocoon/protocol';
import type { ClientConfig } from '../config/index.ts';

export type ProxyTargetConfig = Pick<ClientConfig, 'proxy_address' | 'proxy_addresses' | 'discover_proxies' | 'max_proxies'>;

/**
 * The `host:port` client addresses to dial. `registered`: the root's (on chain), needed with
 * `discover_proxies`; `random` picks among them (default Math.random).
 */
export function clientProxyTargets(config: ProxyTargetConfig, registered: readonly string[] | undefined, random: () => number = Math.random): string[] {
  if (!config.discover_proxies) {
    const listed = config.proxy_addresses.length > 0 ? config.proxy_addresses : [config.proxy_address];
    return [...new Set(listed)].slice(0, config.max_proxies);
  }
  if (registered === undefined) {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'discover_proxies reads the root contract: it needs ton_endpoint and root_contract_address', { param: 'discover_proxies' });
  }
  const pool = [...new Set(registered)];
  if (pool.length === 0) {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', 'discover_proxies: the root contract registers no proxy (registered_proxies is empty)', { param: 'discover_proxies' });
  }
  const chosen: string[] = [];
  while (chosen.length < config.max_proxies && pool.length > 0) {
    const index = Math.min(pool.length - 1, Math.floor(random() * pool.length));
    chosen.push(...pool.splice(index, 1));
  }
  return chosen;
}

/** `host:port` → the dial parts (brackets of an IPv6 host removed). */
export function splitProxyAddress(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  return { host: address.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(address.slice(colon + 1)) };
}
