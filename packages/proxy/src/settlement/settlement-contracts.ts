/**
 * The proxy's view of its contract set: derived addresses (shared derivation from
 * @cocoon/ton) plus the messages only the proxy produces — signed charges and payouts
 * (§6.3) and the stake top-up sent with the proxy contract's deployment.
 */
import { beginCell, type Address, type Cell, type StateInit } from '@ton/core';
import { CocoonContractSet, SignedPaymentOp, signPayment } from '@cocoon/ton';

const OP_EXT_PROXY_INCREASE_STAKE = 0x9713f187;

/** What the settlement needs from the runner wallet (RunnerWallet satisfies it). */
export interface SettlementWallet {
  readonly address: Address;
  sendMessages(messages: Array<{ to: Address; value: bigint; body?: Cell; init?: StateInit; bounce?: boolean; mode?: number }>): Promise<unknown>;
}

let lastQueryId = 0n;
/** Strictly increasing query ids (milliseconds, bumped on collisions). */
function nextQueryId(): bigint {
  const now = BigInt(Date.now());
  lastQueryId = now > lastQueryId ? now : lastQueryId + 1n;
  return lastQueryId;
}

export class SettlementContracts extends CocoonContractSet {
  signedCharge(clientContract: Address, tokens: bigint, secretKey: Buffer, sendExcessesTo: Address): Cell {
    return signPayment({ op: SignedPaymentOp.clientCharge, queryId: nextQueryId(), newTokens: tokens, expectedAddress: clientContract, sendExcessesTo, secretKey });
  }

  signedPayout(workerContract: Address, tokens: bigint, secretKey: Buffer, sendExcessesTo: Address): Cell {
    return signPayment({ op: SignedPaymentOp.workerPayout, queryId: nextQueryId(), newTokens: tokens, expectedAddress: workerContract, sendExcessesTo, secretKey });
  }

  /** Any signed message of §6.3 (grant_refund, last_payout, close_request, close_complete, …). */
  signed(op: number, target: Address, tokens: bigint | undefined, secretKey: Buffer, sendExcessesTo: Address): Cell {
    return signPayment({ op, queryId: nextQueryId(), ...(tokens === undefined ? {} : { newTokens: tokens }), expectedAddress: target, sendExcessesTo, secretKey });
  }

  increaseStakeBody(grams: bigint, sendExcessesTo: Address): Cell {
    return beginCell().storeUint(OP_EXT_PROXY_INCREASE_STAKE, 32).storeUint(nextQueryId(), 64).storeCoins(grams).storeAddress(sendExcessesTo).endCell();
  }
}
