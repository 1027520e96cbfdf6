/**
 * The proxy's book for one authorized client (§15.3): the contract mirror (balance, stake,
 * charged tokens), the tokens reserved by running requests and the tokens used so far
 * (`tokens_max`). Implements admission (§4.3 steps 1–2) and reservation (step 4).
 * All amounts are bigint: nanoTON or adjusted tokens.
 */
import { CocoonError, COEFFICIENT_ONE } from '@cocoon/protocol';
import type { ClientContractState, ClientContractStatus } from './client-contract-state.ts';
import { Reservation, type ReservationOwner } from './reservation.ts';

export interface ClientAccountOptions {
  ownerAddress: string;
  state: ClientContractState;
  /** Current `price_per_token` in nanoTON (root config; may change). */
  pricePerToken: () => bigint;
  /** Tokens already used (`tokens_max`), e.g. restored from the ledger. Default 0. */
  usedTokens?: bigint;
}

/** A client request as the proxy receives it (`client.runQueryEx`). */
export interface AdmissionRequest {
  maxTokens: number | bigint;
  /** Byte length of the serialized `http.request`. */
  queryBytes: number | bigint;
  /** 1000 = 1.0×. */
  maxCoefficient: number | bigint;
}

/** An admitted request: reserve `tokensToReserve` once a worker is chosen. */
export interface Admission {
  maxTokens: bigint;
  tokensToReserve: bigint;
}

/** Numbers for `/jsonstats` `clients[]` (bigint: the caller serializes). */
export interface ClientAccountStats {
  owner_address: string;
  used_tokens: bigint;
  tokens_to_charge: bigint;
  available_tokens: bigint;
  reserved_tokens: bigint;
  running_queries: number;
  closing: boolean;
  closed: boolean;
}

function toNonNegativeBigint(value: number | bigint, name: string): bigint {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', `${name} must be an integer, got ${value}`, { param: name });
  }
  const result = BigInt(value);
  if (result < 0n) throw new CocoonError('CCN_ERR_HTTP_BAD_REQUEST', `${name} must not be negative, got ${value}`, { param: name });
  return result;
}

export class ClientAccount implements ReservationOwner {
  readonly ownerAddress: string;
  private state: ClientContractState;
  private readonly pricePerToken: () => bigint;
  private used: bigint;
  private reserved = 0n;
  private running = 0;

  constructor(options: ClientAccountOptions) {
    this.ownerAddress = options.ownerAddress;
    this.state = { ...options.state };
    this.pricePerToken = options.pricePerToken;
    this.used = options.usedTokens ?? 0n;
  }

  get status(): ClientContractStatus { return this.state.status; }
  get balanceNanoton(): bigint { return this.state.balanceNanoton; }
  get stakeNanoton(): bigint { return this.state.stakeNanoton; }
  /** Tokens charged on chain (contract `tokens_used`). */
  get chargedTokens(): bigint { return this.state.chargedTokens; }
  /** Tokens held by running requests. */
  get reservedTokens(): bigint { return this.reserved; }
  /** All tokens used so far (`tokens_max`). */
  get usedTokens(): bigint { return this.used; }
  get runningRequests(): number { return this.running; }

  /** New contract state; ignored (returns false) if it would move `chargedTokens` backwards. */
  updateState(state: ClientContractState): boolean {
    if (state.chargedTokens < this.state.chargedTokens) return false;
    this.state = { ...state };
    return true;
  }

  /** `sc_tokens_paid = balance / price + charged`. */
  paidTokens(pricePerToken = this.pricePerToken()): bigint {
    return this.state.balanceNanoton / checkedPrice(pricePerToken) + this.state.chargedTokens;
  }

  /** `sc_stake_tokens = stake / price`. */
  stakeTokens(pricePerToken = this.pricePerToken()): bigint {
    return this.state.stakeNanoton / checkedPrice(pricePerToken);
  }

  /** §4.3 step 4: `min(paid, stake_tokens + charged) − reserved − used`; negative if usage overshot. */
  tokensAvailable(pricePerToken = this.pricePerToken()): bigint {
    const paid = this.paidTokens(pricePerToken);
    const stakeLimit = this.stakeTokens(pricePerToken) + this.state.chargedTokens;
    return (paid < stakeLimit ? paid : stakeLimit) - this.reserved - this.used;
  }

  /**
   * §4.3 steps 1–2: the contract must be active and `tokens_available ≥ max_tokens`;
   * returns `to_reserve = floor((max_tokens + bytes) × max_coefficient / 1000)`.
   * Reserves nothing: call `reserve(admission.tokensToReserve, admission)` after choosing a worker.
   */
  admit(request: AdmissionRequest): Admission {
    const maxTokens = toNonNegativeBigint(request.maxTokens, 'max_tokens');
    const queryBytes = toNonNegativeBigint(request.queryBytes, 'query_bytes');
    const maxCoefficient = toNonNegativeBigint(request.maxCoefficient, 'max_coefficient');
    if (this.state.status !== 'active') {
      throw new CocoonError('CCN_ERR_BILLING_INSUFFICIENT_BALANCE', `client contract is ${this.state.status}`, { param: 'status' });
    }
    this.ensureAvailable(maxTokens, 'max_tokens');
    // Exact bigint form of the pricing module's reservationTokens (which computes in double).
    const tokensToReserve = ((maxTokens + queryBytes) * maxCoefficient) / BigInt(COEFFICIENT_ONE);
    return { maxTokens, tokensToReserve };
  }

  /**
   * Holds `tokens` until the returned reservation ends. Throws
   * CCN_ERR_BILLING_INSUFFICIENT_BALANCE if `tokens > available`, or if `available < maxTokens`.
   */
  reserve(tokens: bigint, options: { maxTokens?: bigint } = {}): Reservation {
    if (tokens < 0n) throw new CocoonError('CCN_ERR_INTERNAL', `cannot reserve negative tokens ${tokens}`);
    if (options.maxTokens !== undefined) this.ensureAvailable(options.maxTokens, 'max_tokens');
    this.ensureAvailable(tokens, 'to_reserve');
    this.reserved += tokens;
    this.running += 1;
    return new Reservation(this, tokens);
  }

  /** Internal (called by Reservation): charge usage and release the hold. */
  settleReservation(reservedTokens: bigint, usedTokens: bigint): void {
    this.reserved -= reservedTokens;
    this.used += usedTokens;
    this.running -= 1;
  }

  stats(): ClientAccountStats {
    return {
      owner_address: this.ownerAddress,
      used_tokens: this.used,
      tokens_to_charge: this.used - this.state.chargedTokens,
      available_tokens: this.tokensAvailable(),
      reserved_tokens: this.reserved,
      running_queries: this.running,
      closing: this.state.status === 'closing',
      closed: this.state.status === 'closed',
    };
  }

  private ensureAvailable(needed: bigint, name: string): void {
    const price = this.pricePerToken();
    const available = this.tokensAvailable(price);
    if (needed <= available) return;
    throw new CocoonError(
      'CCN_ERR_BILLING_INSUFFICIENT_BALANCE',
      `client balance is too low: ${name}=${needed} tokens_available=${available} tokens_paid=${this.paidTokens(price)} ` +
        `tokens_used=${this.used} tokens_reserved=${this.reserved} tokens_stake=${this.stakeTokens(price)}`,
      { param: name },
    );
  }
}

function checkedPrice(pricePerToken: bigint): bigint {
  if (pricePerToken <= 0n) throw new CocoonError('CCN_ERR_CONFIG_INVALID', `price_per_token must be positive, got ${pricePerToken}`, { param: 'price_per_token' });
  return pricePerToken;
}
