/**
 * Token pricing (§5): turns the raw usage an inference engine reports into the adjusted
 * (billed) token counts, and adjusted tokens into nanoTON. Mirrors the reference's
 * per-category double-precision adjustment so bills match the C++ worker bit for bit.
 */

/** Usage as reported by the engine (`usage.*` of an OpenAI response). */
export interface RawUsage {
  promptTokens: number;
  cachedTokens: number;
  completionTokens: number;
  reasoningTokens: number;
}

/**
 * Adjusted (billed) tokens, the fields of TL `tokensUsed`: `prompt` is the adjusted
 * NON-cached prompt, `completion` the adjusted non-reasoning completion.
 */
export interface AdjustedTokens {
  prompt: number;
  cached: number;
  completion: number;
  reasoning: number;
  total: number;
}

/** Per-category price multipliers from the root contract params (10000 = 1.0×). */
export interface PriceMultipliers {
  prompt: number;
  cached: number;
  completion: number;
  reasoning: number;
}

export const MULTIPLIER_ONE = 10000;
export const COEFFICIENT_ONE = 1000;

export const DEFAULT_MULTIPLIERS: Readonly<PriceMultipliers> = Object.freeze({
  prompt: MULTIPLIER_ONE,
  cached: MULTIPLIER_ONE,
  completion: MULTIPLIER_ONE,
  reasoning: MULTIPLIER_ONE,
});

/** floor(n × (coefficient/1000) × (multiplier/10000)), computed in double as the reference does. */
export function adjustTokenCount(count: number, coefficient: number, multiplier: number): number {
  if (count <= 0) return 0;
  return Math.floor(count * (coefficient / COEFFICIENT_ONE) * (multiplier / MULTIPLIER_ONE));
}

/** Adjusts every category of `usage` (§5.1); cached > prompt or reasoning > completion clamp to 0. */
export function adjustTokens(usage: RawUsage, coefficient: number, multipliers: PriceMultipliers): AdjustedTokens {
  const promptNonCached = Math.max(0, usage.promptTokens - usage.cachedTokens);
  const completionNonReasoning = Math.max(0, usage.completionTokens - usage.reasoningTokens);
  const prompt = adjustTokenCount(promptNonCached, coefficient, multipliers.prompt);
  const cached = adjustTokenCount(usage.cachedTokens, coefficient, multipliers.cached);
  const completion = adjustTokenCount(completionNonReasoning, coefficient, multipliers.completion);
  const reasoning = adjustTokenCount(usage.reasoningTokens, coefficient, multipliers.reasoning);
  return { prompt, cached, completion, reasoning, total: prompt + cached + completion + reasoning };
}

/** Cost in nanoTON of `tokens` adjusted tokens at `pricePerToken` nanoTON each (§5.2). */
export function costNanoton(tokens: number | bigint, pricePerToken: bigint): bigint {
  if (typeof tokens === 'number' && !Number.isSafeInteger(tokens)) {
    throw new RangeError(`token count must be a safe integer, got ${tokens}`);
  }
  return BigInt(tokens) * pricePerToken;
}

/**
 * Adjusted tokens a proxy reserves for a request (§4.3):
 * floor((max_tokens + byte_length(query)) × max_coefficient / 1000).
 */
export function reservationTokens(maxTokens: number, queryBytes: number, maxCoefficient: number): number {
  return Math.floor(((maxTokens + queryBytes) * maxCoefficient) / COEFFICIENT_ONE);
}
