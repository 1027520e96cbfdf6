/**
 * Chain adapters: the `Chain` port and its toncenter implementation. The emulator-backed ones
 * (SandboxChain, the local chain server) live in `@cocoon/ton/emulator` so runners never load @ton/sandbox.
 */
export type { Chain, ChainAccount, ChainAccountState, ChainFaucet, ChainTransactionQuery } from './chain.ts';
export { TonClientChain, TONCENTER_MAINNET_ENDPOINT, TONCENTER_TESTNET_ENDPOINT, type TonClientChainOptions } from './ton-client-chain.ts';
export { LocalChainFaucet, type LocalChainFaucetOptions } from './local-chain-faucet.ts';
export { createChain, type ChainConfig } from './create-chain.ts';
export type { ChainRetryPolicy } from './chain-request-retry.ts';
