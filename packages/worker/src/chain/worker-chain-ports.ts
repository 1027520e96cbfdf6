/**
 * The seams between the worker's chain code and the rest of the runner: what it needs from the
 * runner wallet (RunnerWallet satisfies it) and what the proxy connection needs from it during
 * the handshake (§3.2) and afterwards (payment status, request payments).
 */
import type { Address, Cell, StateInit } from '@ton/core';
import type { TlObject } from '@cocoon/protocol';

/** The node wallet that pays gas (a `RunnerWallet`). */
export interface WorkerGasWallet {
  readonly address: Address;
  sendMessages(messages: Array<{ to: Address; value: bigint; body?: Cell | null; init?: StateInit | null; bounce?: boolean; mode?: number }>): Promise<{ seqno: number }>;
  waitForSeqno(seqno: number, timeoutMs?: number): Promise<void>;
  /** Throws CCN_ERR_TON_LOW_BALANCE ("ACTION REQUIRED …") when too low to operate. */
  ensureBalance(): Promise<bigint>;
  balance(): Promise<bigint>;
  friendlyAddress(): string;
}

/** `worker.compareBalanceWithProxy` fields: the worker's view of its earnings at this proxy. */
export interface WorkerBalanceClaim {
  tokens_committed_to_blockchain: bigint;
  tokens_committed_to_db: bigint;
  max_tokens: bigint;
}

/** One proxy contract's ledger as the connection sees it (WorkerProxyAccount implements it). */
export interface WorkerProxyLedger {
  balanceClaim(): WorkerBalanceClaim;
  /**
   * The `worker.compareBalanceWithProxyResult` answer (else CCN_ERR_PROTOCOL_VIOLATION). Throws CCN_ERR_LEDGER_ROLLBACK /
   * CCN_ERR_TON_BAD_SIGNED_PAYMENT: the connection must be closed.
   */
  acceptCompareResult(result: TlObject): void;
  /** Records a signed payment + totals (paymentStatus, workerRequestPayment); throws CCN_ERR_TON_BAD_SIGNED_PAYMENT. */
  observePayment(signedPayment: TlObject | undefined, dbTokens: bigint, maxTokens: bigint): void;
}

/** What the connection calls on `worker.connectedToProxy` (WorkerChainAccount implements it). */
export interface WorkerConnectionPayments {
  /** Verifies the proxy and worker contract addresses (CCN_ERR_TON_CONTRACT_MISMATCH), deploys the worker contract. */
  connectedToProxy(proxyParams: TlObject, workerContractAddress: string): Promise<WorkerProxyLedger>;
  /** Delay before the next `worker.updatePaymentStatus` (§16: 10–20 s). */
  nextPaymentStatusDelayMs(): number;
}
