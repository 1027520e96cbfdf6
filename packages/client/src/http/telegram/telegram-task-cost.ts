/**
 * The `cost` of a Telegram task answer: `{ tokens, nanoton }` where nanoton is a string integer.
 * Best source first: the gateway's final usage (adjusted tokens and network price from the
 * answer's final info), then the `usage.total_cost` the worker injects into the JSON, then an
 * estimate from the answer's `usage.total_tokens` and the cheapest price the models list shows.
 */
import type { GatewayUsage } from '../inference-gateway.ts';

export interface TelegramTaskCost {
  tokens: number;
  nanoton: string;
  /** Present (true) only when the cost is an estimate from the models list price. */
  estimated?: true;
}

const count = (value: unknown): number | undefined => (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined);

/** Price scale for the estimate: prices in the models list may have three decimals (coefficient / 1000). */
const PRICE_SCALE = 1000n;

export function taskCost(gatewayUsage: GatewayUsage | undefined, usage: Record<string, unknown> | undefined, estimatePrice: number | undefined): TelegramTaskCost | undefined {
  if (gatewayUsage !== undefined) return { tokens: gatewayUsage.totalTokens, nanoton: gatewayUsage.costNanoton.toString() };
  const totalTokens = count(usage?.['total_tokens']);
  const totalCost = count(usage?.['total_cost']);
  if (totalTokens !== undefined && totalCost !== undefined) return { tokens: totalTokens, nanoton: String(totalCost) };
  if (totalTokens !== undefined && estimatePrice !== undefined) {
    const scaledPrice = BigInt(Math.round(estimatePrice * Number(PRICE_SCALE)));
    return { tokens: totalTokens, nanoton: ((BigInt(totalTokens) * scaledPrice) / PRICE_SCALE).toString(), estimated: true };
  }
  return undefined;
}
