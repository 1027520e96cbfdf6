/**
 * `createChain`: builds the `Chain` a runner's config asks for — the in-process sandbox
 * (tests) or a toncenter v2 endpoint (the local `cocoon chain`, testnet, mainnet).
 */
import type { Chain } from './chain.ts';
import { TonClientChain } from './ton-client-chain.ts';

export type ChainConfig =
  | { kind: 'sandbox'; now?: () => number }
  | { kind: 'toncenter'; endpoint: string; apiKey?: string };

export async function createChain(config: ChainConfig): Promise<Chain> {
  if (config.kind === 'sandbox') {
    const { SandboxChain } = await import('./sandbox-chain.ts'); // the emulator loads only when asked for
    return SandboxChain.create(config.now ? { now: config.now } : {});
  }
  return new TonClientChain({ endpoint: config.endpoint, ...(config.apiKey ? { apiKey: config.apiKey } : {}) });
}
