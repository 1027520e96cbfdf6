/**
 * Tokens held back from a client's available tokens while one request runs (§4.3 step 4).
 * Ends exactly once: `complete(used)` charges the final usage and releases the hold
 * (§4.8); `release()` only releases (request never reached a worker).
 */
import { CocoonError } from '@cocoon/protocol';

/** What a reservation needs from its account. */
export interface ReservationOwner {
  readonly ownerAddress: string;
  /** Internal: called once when the reservation ends. */
  settleReservation(reservedTokens: bigint, usedTokens: bigint): void;
}

export class Reservation {
  private ended = false;

  constructor(
    private readonly owner: ReservationOwner,
    readonly tokens: bigint,
  ) {}

  get isEnded(): boolean {
    return this.ended;
  }

  get ownerAddress(): string {
    return this.owner.ownerAddress;
  }

  /** Throws CCN_ERR_BILLING_RESERVATION_DEPLETED when reported usage exceeds the reservation (§5.2). */
  checkUsage(usedTokens: bigint): void {
    if (usedTokens > this.tokens) {
      throw new CocoonError('CCN_ERR_BILLING_RESERVATION_DEPLETED', `reserved tokens depleted: used=${usedTokens} reserved=${this.tokens}`);
    }
  }

  /** Charges `usedTokens` to the client and releases the hold. Returns false if already ended. */
  complete(usedTokens: bigint): boolean {
    if (usedTokens < 0n) throw new CocoonError('CCN_ERR_INTERNAL', `negative token usage ${usedTokens}`);
    return this.finish(usedTokens);
  }

  /** Releases the hold without charging. Returns false if already ended. */
  release(): boolean {
    return this.finish(0n);
  }

  private finish(usedTokens: bigint): boolean {
    if (this.ended) return false;
    this.ended = true;
    this.owner.settleReservation(this.tokens, usedTokens);
    return true;
  }
}
