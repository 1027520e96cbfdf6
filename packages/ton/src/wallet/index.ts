/** Runner wallet: serialized, batched, resent sends from the cocoon wallet on any Chain. */
export { RunnerWallet, MIN_WALLET_BALANCE, WARN_WALLET_BALANCE, WALLET_VALIDITY_SECONDS, type RunnerWalletOptions, type WalletSendResult } from './runner-wallet.ts';
export * from './key-file.ts';
