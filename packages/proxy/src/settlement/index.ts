/** The proxy on chain: contract deployment, save-state anchoring, signed payments, settlement. */
export { ProxySettlement, type ProxySettlementOptions, type SettlementReport } from './proxy-settlement.ts';
export { SettlementContracts, type SettlementWallet } from './settlement-contracts.ts';
