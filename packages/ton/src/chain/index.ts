/** Chain adapters: the `Chain` port, its sandbox and toncenter implementations, the local chain process. */
export type { Chain, ChainAccount, ChainAccountState, ChainFaucet, ChainTransactionQuery } from './chain.ts';
export { SandboxChain, SANDBOX_FAUCET_ADDRESS, type SandboxChainOptions, type SandboxChainState, type GetMethodOutcome } from './sandbox-chain.ts';
export { TonClientChain, TONCENTER_MAINNET_ENDPOINT, TONCENTER_TESTNET_ENDPOINT, type TonClientChainOptions } from './ton-client-chain.ts';
export { LocalChainFaucet, type LocalChainFaucetOptions } from './local-chain-faucet.ts';
export { startLocalChainServer, type LocalChainServer, type LocalChainServerOptions } from './local-chain-server.ts';
export { createChain, type ChainConfig } from './create-chain.ts';
export type { ChainRetryPolicy } from './chain-request-retry.ts';
