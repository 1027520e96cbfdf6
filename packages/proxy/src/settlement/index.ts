/** The proxy on chain: contract deployment, save-state anchoring, signed payments, settlement, params migration. */
export { ProxySettlement, type ProxySettlementOptions, type SettlementReport } from './proxy-settlement.ts';
export { SettlementContracts, type SettlementWallet } from './settlement-contracts.ts';
export { ProxyInstances, type ProxyInstancesOptions } from './proxy-instances.ts';
export { OldInstanceCloser, CLOSE_STEPS, type CloseStep, type OldInstanceCloserOptions } from './old-instance-closer.ts';
export { AdmissionGate, GatedWorkerRegistry, type AdmissionGateOptions } from './admission-gate.ts';
export { SwitchableLedger } from './switchable-ledger.ts';
export { knownClientOwners, rememberClient } from './known-clients.ts';
