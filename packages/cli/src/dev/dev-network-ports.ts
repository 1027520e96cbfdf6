/**
 * The port plan of the local dev network (§8.1): client 10000, proxy 11000 (stats) /
 * 11001 (workers) / 11002 (clients), worker N stats 12000 + 10·(N−1), test engine 8000.
 * key manager 13000 (stats) / 13001 (key requests). Proxy N (of several) uses the proxy ports + 10·(N−1).
 * `basePortOffset` shifts every default; individual ports override.
 */

export interface DevNetworkPorts {
  clientHttp: number;
  proxyHttp: number;
  proxyWorker: number;
  proxyClient: number;
  /** Stats port of worker 1; worker N uses workerHttp + 10·(N−1). */
  workerHttp: number;
  /** Port of the test engine (ignored when an engine URL is given). */
  engine: number;
  /** Port of the local TON chain (`cocoon chain`, toncenter v2 API). */
  chain: number;
  /** Stats port of the key manager (on chain only). */
  keyManagerHttp: number;
  /** Where proxies and workers fetch the private keys (the address registered on the root). */
  keyManagerRpc: number;
}

export const DEFAULT_DEV_NETWORK_PORTS: Readonly<DevNetworkPorts> = {
  clientHttp: 10000,
  proxyHttp: 11000,
  proxyWorker: 11001,
  proxyClient: 11002,
  workerHttp: 12000,
  engine: 8000,
  chain: 8081,
  keyManagerHttp: 13000,
  keyManagerRpc: 13001,
};

export const WORKER_PORT_STEP = 10;

export function planDevNetworkPorts(overrides: Partial<DevNetworkPorts> = {}, basePortOffset = 0): DevNetworkPorts {
  const shifted = Object.fromEntries(
    Object.entries(DEFAULT_DEV_NETWORK_PORTS).map(([name, port]) => [name, port + basePortOffset]),
  ) as unknown as DevNetworkPorts;
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, port]) => port !== undefined));
  return { ...shifted, ...defined };
}

export function workerHttpPort(ports: DevNetworkPorts, workerIndex: number): number {
  return ports.workerHttp + WORKER_PORT_STEP * workerIndex;
}

/** With several proxies, proxy N's ports are proxy 1's + PROXY_PORT_STEP·(N−1). */
export const PROXY_PORT_STEP = 10;

/** The stats, worker and client ports of proxy `proxyIndex` (0 = the first, today's ports). */
export function proxyPorts(ports: DevNetworkPorts, proxyIndex: number): { http: number; worker: number; client: number } {
  const shift = PROXY_PORT_STEP * proxyIndex;
  return { http: ports.proxyHttp + shift, worker: ports.proxyWorker + shift, client: ports.proxyClient + shift };
}
