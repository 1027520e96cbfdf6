/**
 * Verifies the `proxy.SignedPayment` a proxy hands to a worker (compareBalanceWithProxyResult,
 * worker.paymentStatus, proxy.workerRequestPayment): a payout envelope (op 0xa040ad28) whose
 * payload names this worker's contract and is signed by the proxy key (§6.3, §15.2).
 */
import { Cell, type Address } from '@ton/core';
import { CocoonError } from '@cocoon/protocol';
import type { TlObject } from '@cocoon/protocol';
import { readSignedPayment, SignedPaymentOp } from '@cocoon/ton';

export interface VerifiedWorkerPayout {
  /** Cumulative tokens the proxy committed to chain for this worker. */
  tokens: bigint;
  queryId: bigint;
  cell: Cell;
}

export interface WorkerPayoutVerification {
  /** 32-byte Ed25519 key from `proxy.params`. */
  proxyPublicKey: Buffer;
  workerContract: Address;
}

/** null for `proxy.signedPaymentEmpty`; throws CCN_ERR_TON_BAD_SIGNED_PAYMENT for anything invalid. */
export function verifyWorkerPayout(signedPayment: TlObject | undefined, verification: WorkerPayoutVerification): VerifiedWorkerPayout | null {
  if (!signedPayment || signedPayment._ === 'proxy.signedPaymentEmpty') return null;
  if (signedPayment._ !== 'proxy.signedPayment' || !Buffer.isBuffer(signedPayment.data)) {
    throw new CocoonError('CCN_ERR_TON_BAD_SIGNED_PAYMENT', `unexpected signed payment constructor ${signedPayment._}`, { param: 'signed_payment' });
  }
  let cell: Cell;
  try {
    const cells = Cell.fromBoc(signedPayment.data);
    if (cells.length !== 1 || !cells[0]) throw new Error(`expected one root cell, got ${cells.length}`);
    cell = cells[0];
  } catch (error) {
    throw new CocoonError('CCN_ERR_TON_BAD_SIGNED_PAYMENT', `signed payment is not a valid BOC: ${(error as Error).message}`, { cause: error, param: 'signed_payment' });
  }
  const payment = readSignedPayment(cell, {
    publicKey: verification.proxyPublicKey,
    op: SignedPaymentOp.workerPayout,
    expectedAddress: verification.workerContract,
  });
  return { tokens: payment.newTokens, queryId: payment.queryId, cell };
}
