/** Checks a `LedgerCompletion` before any ledger records it, so bad entries never become durable. */
import { CocoonError } from '@cocoon/protocol';
import type { LedgerCompletion } from './ledger.ts';

const HEX = /^[0-9a-f]+$/i;

export function assertValidLedgerCompletion(entry: LedgerCompletion): void {
  const fail = (message: string, param: string): never => {
    throw new CocoonError('CCN_ERR_INTERNAL', `invalid ledger entry ${entry.requestId}: ${message}`, { param });
  };
  if (!HEX.test(entry.requestId)) fail('requestId must be hex', 'requestId');
  if (entry.clientOwner === '') fail('clientOwner is empty', 'clientOwner');
  if (entry.workerOwner === '') fail('workerOwner is empty', 'workerOwner');
  const { prompt, cached, completion, reasoning, total } = entry.tokens;
  for (const [name, value] of Object.entries({ prompt, cached, completion, reasoning, total })) {
    if (!Number.isSafeInteger(value) || value < 0) fail(`tokens.${name} must be a non-negative integer`, `tokens.${name}`);
  }
  if (prompt + cached + completion + reasoning !== total) fail('tokens.total is not the sum of the categories', 'tokens.total');
  if (entry.clientCostNanoton < 0n || entry.workerEarnedNanoton < 0n || entry.proxyCommissionNanoton < 0n) {
    fail('amounts must not be negative', 'clientCostNanoton');
  }
  if (entry.workerEarnedNanoton + entry.proxyCommissionNanoton !== entry.clientCostNanoton) {
    fail('client cost must equal worker earnings plus proxy commission', 'proxyCommissionNanoton');
  }
}
