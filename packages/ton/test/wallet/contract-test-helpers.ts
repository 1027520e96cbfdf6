/**
 * Small sandbox helpers for the root and wallet contract tests (@ton/test-utils is not
 * installed): find the transaction a message caused and read its compute exit code.
 */
import type { Address, Cell, Transaction } from '@ton/core';
import { loadContractCode } from '../../src/contracts/contract-compiler.ts';
import { devCocoonParams, type CocoonParams } from '../../src/params/cocoon-params.ts';
import { beginCell } from '@ton/core';

export interface TransactionFilter {
  to: Address;
  from?: Address;
}

/** Transactions whose inbound message went to `to` (and came from `from`, if given). */
export function transactionsTo(transactions: Transaction[], filter: TransactionFilter): Transaction[] {
  return transactions.filter((transaction) => {
    const info = transaction.inMessage?.info;
    if (!info || !info.dest || !('hash' in info.dest) || !info.dest.equals(filter.to)) return false;
    if (!filter.from) return true;
    return info.type === 'internal' && info.src.equals(filter.from);
  });
}

/** Compute-phase exit code of the first transaction matching `filter` (-1 when skipped). */
export function exitCodeTo(transactions: Transaction[], filter: TransactionFilter): number {
  const transaction = transactionsTo(transactions, filter)[0];
  if (!transaction) throw new Error(`no transaction to ${filter.to.toString()}`);
  const description = transaction.description;
  if (description.type !== 'generic') throw new Error(`unexpected transaction type ${description.type}`);
  return description.computePhase.type === 'vm' ? description.computePhase.exitCode : -1;
}

/** Gas used and total fees of the first transaction matching `filter`. */
export function gasOf(transactions: Transaction[], filter: TransactionFilter): { gasUsed: bigint; totalFees: bigint } {
  const transaction = transactionsTo(transactions, filter)[0];
  if (!transaction) throw new Error(`no transaction to ${filter.to.toString()}`);
  const description = transaction.description;
  const gasUsed = description.type === 'generic' && description.computePhase.type === 'vm' ? description.computePhase.gasUsed : 0n;
  return { gasUsed, totalFees: transaction.totalFees.coins };
}

/** Compiled code of a contract when its artifact exists, else a placeholder cell. */
export function codeOrPlaceholder(name: 'proxy' | 'worker' | 'client'): Cell {
  try {
    return loadContractCode(name);
  } catch {
    return beginCell().storeStringTail(`placeholder ${name} code`).endCell();
  }
}

/** Dev params with the compiled proxy/worker/client code. */
export function testCocoonParams(): CocoonParams {
  return devCocoonParams({ proxyCode: codeOrPlaceholder('proxy'), workerCode: codeOrPlaceholder('worker'), clientCode: codeOrPlaceholder('client') });
}
