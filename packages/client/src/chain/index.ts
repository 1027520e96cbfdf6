/** The client runner's on-chain side (§6.5): client contract accounts per proxy, automation, manual operations. */
export { ClientChain, type ClientChainOptions, type ClientChainRequest } from './client-chain.ts';
export { ClientChainAccount, type ClientAuthorization, type ClientContractView } from './client-chain-account.ts';
export { createQueryIdSource, type ClientChainAccountContext, type ClientChainWallet, type ProxyContractIdentity } from './client-chain-context.ts';
export { verifyProxyContracts, type VerifiedProxyContracts } from './proxy-contract-verification.ts';
export { SignedChargeTracker, type SignedCharge, type SignedChargeVerdict } from './signed-charge-tracker.ts';
export { ClientChainAmounts } from './client-chain-amounts.ts';
export { handleClientChainRequest } from './client-chain-routes.ts';
export { openClientChain, type ClientChainSetupOptions } from './client-chain-setup.ts';
