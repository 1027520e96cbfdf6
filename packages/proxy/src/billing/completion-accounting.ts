/**
 * Completion accounting (§4.8, §5.2): when a request ends, turn its final adjusted tokens
 * into money (client pays total × price, worker earns total × fee, the proxy keeps the
 * difference), charge the client's account, release its reservation and record the entry
 * in the ledger. Failed requests are billed for whatever usage the worker reported.
 */
import { CocoonError, costNanoton, type AdjustedTokens } from '@cocoon/protocol';
import { assertValidLedgerCompletion, type Ledger, type LedgerCompletion } from '../ledger/index.ts';
import type { Reservation } from './reservation.ts';

/** Root-config prices in nanoTON per adjusted token. */
export interface TokenPrices {
  pricePerToken: bigint;
  workerFeePerToken: bigint;
}

export interface LedgerCompletionInput {
  requestId: string;
  clientOwner: string;
  workerOwner: string;
  tokens: AdjustedTokens;
  prices: TokenPrices;
  /** Unix milliseconds. */
  at: number;
}

/** Pure: the ledger entry for one finished request. */
export function buildLedgerCompletion(input: LedgerCompletionInput): LedgerCompletion {
  const { pricePerToken, workerFeePerToken } = input.prices;
  if (workerFeePerToken < 0n || workerFeePerToken > pricePerToken) {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', `worker_fee_per_token (${workerFeePerToken}) must be between 0 and price_per_token (${pricePerToken})`, { param: 'worker_fee_per_token' });
  }
  const clientCostNanoton = costNanoton(input.tokens.total, pricePerToken);
  const workerEarnedNanoton = costNanoton(input.tokens.total, workerFeePerToken);
  return {
    requestId: input.requestId,
    clientOwner: input.clientOwner,
    workerOwner: input.workerOwner,
    tokens: { ...input.tokens },
    clientCostNanoton,
    workerEarnedNanoton,
    proxyCommissionNanoton: clientCostNanoton - workerEarnedNanoton,
    at: input.at,
  };
}

export interface CompletionAccountingOptions {
  ledger: Ledger;
  prices: () => TokenPrices;
  /** Unix-millisecond clock (default Date.now). */
  now?: () => number;
}

export interface FinishedRequest {
  requestId: string;
  workerOwner: string;
  /** The client's reservation for this request (its owner is the client). */
  reservation: Reservation;
  /** Final `tokens_used` reported by the worker (zeros if none). */
  tokensUsed: AdjustedTokens;
}

export class CompletionAccounting {
  private readonly now: () => number;

  constructor(private readonly options: CompletionAccountingOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Charges `tokensUsed.total` to the client, releases the reservation and records the
   * entry; resolves with the entry once the ledger made it durable. A reservation that
   * already ended is an error (the request would be billed twice).
   */
  async finish(request: FinishedRequest): Promise<LedgerCompletion> {
    const entry = buildLedgerCompletion({
      requestId: request.requestId,
      clientOwner: request.reservation.ownerAddress,
      workerOwner: request.workerOwner,
      tokens: request.tokensUsed,
      prices: this.options.prices(),
      at: this.now(),
    });
    assertValidLedgerCompletion(entry); // before charging, so a bad entry charges nothing
    if (!request.reservation.complete(BigInt(entry.tokens.total))) {
      throw new CocoonError('CCN_ERR_INTERNAL', `request ${request.requestId} was already accounted`);
    }
    await this.options.ledger.recordCompletion(entry);
    return entry;
  }
}
