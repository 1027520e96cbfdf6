/** Wrappers of the settlement contracts (proxy, client, worker) and their address derivation. */
export * from './cocoon-proxy-contract.ts';
export * from './cocoon-client-contract.ts';
export * from './cocoon-worker-contract.ts';
export * from '../addresses/index.ts';
