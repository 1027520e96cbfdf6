/**
 * @cocoon/ton/emulator: the parts that run the TVM emulator (@ton/sandbox) — the in-process
 * `SandboxChain` and the local chain server behind `cocoon chain`. A separate entry point so
 * that runners, which only talk to a chain over HTTP, never load the emulator.
 */
export { SandboxChain, SANDBOX_FAUCET_ADDRESS, type SandboxChainOptions, type SandboxChainState, type GetMethodOutcome } from './chain/sandbox-chain.ts';
export { startLocalChainServer, type LocalChainServer, type LocalChainServerOptions } from './chain/local-chain-server.ts';
