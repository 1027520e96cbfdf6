/** Public API of the pricing module: token adjustment, costs, reservations (§5). */
export {
  adjustTokenCount,
  adjustTokens,
  costNanoton,
  reservationTokens,
  DEFAULT_MULTIPLIERS,
  MULTIPLIER_ONE,
  COEFFICIENT_ONE,
} from './token-pricing.ts';
export type { RawUsage, AdjustedTokens, PriceMultipliers } from './token-pricing.ts';
