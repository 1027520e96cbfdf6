/**
 * §3.2 anti-rollback check shared by every ledger: a peer that claims more committed
 * tokens than the ledger knows proves the ledger lost or rolled back state.
 */
import { CocoonError } from '@cocoon/protocol';
import type { LedgerOwnerKind, LedgerPeerClaim, LedgerTotals } from './ledger.ts';

export function assertLedgerNotBehind(kind: LedgerOwnerKind, owner: string, known: LedgerTotals, claimed: LedgerPeerClaim): void {
  const behind = (field: keyof LedgerPeerClaim): never => {
    throw new CocoonError(
      'CCN_ERR_LEDGER_ROLLBACK',
      `${kind} ${owner} claims ${field} = ${claimed[field]} but the ledger knows only ${known[field]}: proxy state was rolled back or lost`,
      { param: field },
    );
  };
  if (claimed.tokensCommittedToBlockchain > known.tokensCommittedToBlockchain) behind('tokensCommittedToBlockchain');
  if (claimed.tokensCommittedToDb > known.tokensCommittedToDb) behind('tokensCommittedToDb');
}
