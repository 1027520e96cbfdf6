/**
 * One client contract operation: check the wallet balance (never below the runner minimum;
 * "ACTION REQUIRED" logged with the wallet address), send the message through the runner
 * wallet, wait for the wallet to apply it, then re-read the contract until the expected
 * change shows (CCN_ERR_TON_TIMEOUT otherwise).
 */
import type { Address, Cell, StateInit } from '@ton/core';
import { CocoonError, isCocoonError } from '@cocoon/protocol';
import { MIN_WALLET_BALANCE } from '@cocoon/ton';
import type { ClientChainAccountContext } from './client-chain-context.ts';

/** Gas margin the wallet must hold on top of the attached value. */
const WALLET_FEE_MARGIN = 100_000_000n;

export interface ContractOperation<View> {
  what: string;
  to: Address;
  value: bigint;
  body: Cell;
  init?: StateInit;
  /** Re-reads the contract. */
  read: () => Promise<View>;
  /** True once the operation's effect is visible. */
  settled: (view: View) => boolean;
}

/** Checks the wallet can pay `value`; logs "ACTION REQUIRED" and rethrows CCN_ERR_TON_LOW_BALANCE otherwise. */
export async function requireWalletBalance(context: ClientChainAccountContext, value: bigint, what: string): Promise<void> {
  const needed = value + WALLET_FEE_MARGIN > MIN_WALLET_BALANCE ? value + WALLET_FEE_MARGIN : MIN_WALLET_BALANCE;
  try {
    await context.wallet.ensureBalance(needed);
  } catch (error) {
    if (isCocoonError(error) && error.code === 'CCN_ERR_TON_LOW_BALANCE') {
      context.logger.error(error.message, { wallet: context.wallet.friendlyAddress(), operation: what });
    }
    throw error;
  }
}

export async function sendContractOperation<View>(context: ClientChainAccountContext, operation: ContractOperation<View>): Promise<View> {
  await requireWalletBalance(context, operation.value, operation.what);
  const sent = await context.wallet.sendMessages([{
    to: operation.to, value: operation.value, body: operation.body, init: operation.init ?? null,
    bounce: operation.init ? false : true,
  }]);
  await context.wallet.waitForSeqno(sent.seqno, context.waitTimeoutMs);
  const deadline = context.now() + context.waitTimeoutMs;
  for (;;) {
    const view = await operation.read();
    if (operation.settled(view)) {
      context.logger.info('client contract operation done', { operation: operation.what, to: operation.to.toString() });
      return view;
    }
    if (context.now() >= deadline) {
      throw new CocoonError('CCN_ERR_TON_TIMEOUT', `${operation.what}: no effect on the client contract within ${context.waitTimeoutMs} ms`);
    }
    await context.sleep(context.pollIntervalMs);
  }
}
