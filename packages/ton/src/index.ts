/** @cocoon/ton: contracts, wrappers, chain adapters, wallets and signed payments. */
export * from './params/index.ts';
export * from './contracts/index.ts';
export * from './state/index.ts';
export * from './payments/index.ts';
export * from './root/index.ts';
export * from './wallet/index.ts';
export * from './chain/index.ts';
export * from './wrappers/root-wallet-index.ts';
export * from './wrappers/settlement-index.ts';
export type { ClientContractData, ProxyContractData, WorkerContractData } from './state/index.ts';
