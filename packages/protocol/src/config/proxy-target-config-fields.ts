/**
 * Which proxies a client or worker runner talks to (§1.2), the same keys for both roles: a fixed list
 * (replacing the single `proxy_address`), or the root contract's registered proxies, and how many at
 * most; plus the check that the two ways are not mixed and no proxy is listed twice.
 */
import { z } from 'zod';
import { hostPortSchema } from './config-fields.ts';

export function proxyTargetConfigFields() {
  return {
    /** Several proxies (§1.2): their addresses for this role; set, it replaces proxy_address. */
    proxy_addresses: z.array(hostPortSchema).max(64).default([]),
    /** On chain: the proxies are the root's registered_proxies (their addresses for this role) instead of proxy_address(es). */
    discover_proxies: z.boolean().default(false),
    /** At most this many proxies (of proxy_addresses or the discovered ones); 1 = the reference's one proxy. */
    max_proxies: z.number().int().min(1).max(64).default(3),
  };
}

/** For a schema's superRefine: errors name `discover_proxies` or `proxy_addresses`. */
export function checkProxyTargets(config: { discover_proxies: boolean; proxy_addresses: readonly string[] }, context: z.RefinementCtx): void {
  if (config.discover_proxies && config.proxy_addresses.length > 0) {
    context.addIssue({ code: 'custom', path: ['discover_proxies'], message: 'discover_proxies takes the proxies from the root contract: leave proxy_addresses empty' });
  }
  if (new Set(config.proxy_addresses).size !== config.proxy_addresses.length) {
    context.addIssue({ code: 'custom', path: ['proxy_addresses'], message: 'proxy_addresses lists a proxy twice' });
  }
}
