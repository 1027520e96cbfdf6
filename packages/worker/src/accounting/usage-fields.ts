/**
 * Reading `usage` counters out of an OpenAI response value and injecting the costs the
 * worker reports back (§5.1): `usage.prompt_total_cost`, `usage.completion_total_cost`,
 * `usage.total_cost` in nanoTON. Also a cheap byte-level pre-check so only values that
 * really carry a usage object get parsed.
 * Usage shapes: chat/completions (`prompt_tokens`, `completion_tokens`, details), and audio
 * transcriptions: `{type: 'tokens', input_tokens, output_tokens}` counts input as prompt and
 * output as completion tokens; `{type: 'duration', seconds}` carries no tokens, so it is
 * billed 0 tokens (see `durationUsageSeconds`: the worker logs a warning).
 */
import type { AdjustedTokens, RawUsage } from '@cocoon/protocol';

const USAGE_MARKER = Buffer.from('"usage"');
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;

const isWhitespace = (byte: number | undefined): boolean => byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;

/** Whether `bytes` contains `"usage"` followed by `:` and an object (so `"usage":null` is skipped). */
export function containsUsageObject(bytes: Buffer): boolean {
  let from = 0;
  for (;;) {
    const at = bytes.indexOf(USAGE_MARKER, from);
    if (at < 0) return false;
    let index = at + USAGE_MARKER.length;
    while (isWhitespace(bytes[index])) index++;
    if (bytes[index] === COLON) {
      index++;
      while (isWhitespace(bytes[index])) index++;
      if (bytes[index] === OPEN_BRACE) return true;
    }
    from = at + 1;
  }
}

type JsonObject = Record<string, unknown>;

const asObject = (value: unknown): JsonObject | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;

const asCount = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;

/**
 * Folds the counters of `value.usage` into `usage` (maximum seen per field). Returns the
 * usage object when it carried at least one counter, undefined otherwise.
 */
export function mergeUsage(value: unknown, usage: RawUsage): JsonObject | undefined {
  const usageObject = asObject(asObject(value)?.usage);
  if (usageObject === undefined) return undefined;
  const prompt = asCount(usageObject.prompt_tokens) ?? asCount(usageObject.input_tokens);
  const cached = asCount(asObject(usageObject.prompt_tokens_details)?.cached_tokens) ?? asCount(asObject(usageObject.input_tokens_details)?.cached_tokens);
  const completion = asCount(usageObject.completion_tokens) ?? asCount(usageObject.output_tokens);
  const reasoningDetail = asCount(asObject(usageObject.completion_tokens_details)?.reasoning_tokens) ?? asCount(asObject(usageObject.output_tokens_details)?.reasoning_tokens);
  const reasoningFlat = asCount(usageObject.reasoning_tokens);
  if (prompt !== undefined) usage.promptTokens = Math.max(usage.promptTokens, prompt);
  if (cached !== undefined) usage.cachedTokens = Math.max(usage.cachedTokens, cached);
  if (completion !== undefined) usage.completionTokens = Math.max(usage.completionTokens, completion);
  if (reasoningDetail !== undefined) usage.reasoningTokens = Math.max(usage.reasoningTokens, reasoningDetail);
  if (reasoningFlat !== undefined) usage.reasoningTokens = Math.max(usage.reasoningTokens, reasoningFlat);
  const found = [prompt, cached, completion, reasoningDetail, reasoningFlat].some((count) => count !== undefined);
  return found ? usageObject : undefined;
}

/** Seconds of a transcription usage `{type: 'duration', seconds}` (no token counts), else undefined. */
export function durationUsageSeconds(value: unknown): number | undefined {
  const usageObject = asObject(asObject(value)?.usage);
  if (usageObject?.type !== 'duration') return undefined;
  const seconds = usageObject.seconds;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

/** Writes the three cost fields (nanoTON, as JSON numbers) into a usage object. */
export function injectCosts(usageObject: JsonObject, adjusted: AdjustedTokens, pricePerToken: bigint): void {
  const promptCost = BigInt(adjusted.prompt + adjusted.cached) * pricePerToken;
  const completionCost = BigInt(adjusted.completion + adjusted.reasoning) * pricePerToken;
  usageObject.prompt_total_cost = Number(promptCost);
  usageObject.completion_total_cost = Number(completionCost);
  usageObject.total_cost = Number(promptCost + completionCost);
}
