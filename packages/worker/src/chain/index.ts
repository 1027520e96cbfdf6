/** The worker on chain: contract verification and deployment, payout ledger, cash-out. */
export { WorkerChainAccount, type WorkerChainAccountOptions } from './worker-chain-account.ts';
export { WorkerProxyAccount, WORKER_DEPLOY_VALUE, WORKER_PAYOUT_VALUE, type WorkerProxyAccountOptions, type CashOutResult } from './worker-proxy-account.ts';
export { WorkerLedgerStateFile, emptyWorkerLedgerState, type WorkerLedgerState } from './worker-ledger-state-file.ts';
export { verifyWorkerPayout, type VerifiedWorkerPayout, type WorkerPayoutVerification } from './worker-signed-payout.ts';
export { openWorkerChainAccount, type OpenWorkerChainAccountDeps } from './open-worker-chain-account.ts';
export type { WorkerGasWallet, WorkerBalanceClaim, WorkerProxyLedger, WorkerConnectionPayments } from './worker-chain-ports.ts';
