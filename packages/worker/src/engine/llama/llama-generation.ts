/**
 * Runs one generation on a lent context sequence: reuses the longest prompt prefix
 * already in the sequence's KV cache (reported as cached tokens), evaluates the rest,
 * samples up to maxTokens tokens (temperature/top_p/seed), and yields text pieces until an
 * end-of-generation token, a stop string, or the token limit. Breaking out of the
 * iteration (which closes the native token iterator) or aborting `signal` stops decoding
 * at the next token.
 */
import type { LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';
import { LlamaTextStreamer } from './llama-text-streamer.ts';

export interface LlamaGenerationPlan {
  promptTokens: Token[];
  stops: readonly string[];
  maxTokens: number;
  temperature: number;
  topP: number | undefined;
  seed: number | undefined;
}

export interface LlamaGenerationResult {
  finishReason: 'stop' | 'length';
  promptTokens: number;
  cachedTokens: number;
  completionTokens: number;
}

/** Drops the sequence's cached tokens past the common prefix; returns how many are reused. */
async function reusePrefix(sequence: LlamaContextSequence, tokens: Token[]): Promise<number> {
  // At least the last prompt token is evaluated again: its logits sample the first new token.
  const reused = Math.min(sequence.compareContextTokens(tokens).firstDifferentIndex, tokens.length - 1);
  if (reused < sequence.nextTokenIndex) await sequence.eraseContextTokenRanges([{ start: reused, end: sequence.nextTokenIndex }]);
  return reused;
}

export interface LlamaGeneration {
  /** The generated text pieces; iterate once. */
  pieces: AsyncIterable<string>;
  /** Counts and finish reason, complete once `pieces` has ended. */
  result: LlamaGenerationResult;
}

/** Prepares one generation; nothing runs until `pieces` is iterated. */
export function startLlamaGeneration(model: LlamaModel, sequence: LlamaContextSequence, plan: LlamaGenerationPlan, signal: AbortSignal): LlamaGeneration {
  const result: LlamaGenerationResult = { finishReason: 'length', promptTokens: plan.promptTokens.length, cachedTokens: 0, completionTokens: 0 };
  return { pieces: generatePieces(model, sequence, plan, signal, result), result };
}

async function* generatePieces(
  model: LlamaModel,
  sequence: LlamaContextSequence,
  plan: LlamaGenerationPlan,
  signal: AbortSignal,
  result: LlamaGenerationResult,
): AsyncGenerator<string> {
  if (plan.maxTokens <= 0) return;
  signal.throwIfAborted();
  result.cachedTokens = await reusePrefix(sequence, plan.promptTokens);
  const streamer = new LlamaTextStreamer((tokens, lastTokens) => model.detokenize(tokens as readonly Token[], false, lastTokens as readonly Token[]), plan.stops);
  const tokens = sequence.evaluate(plan.promptTokens.slice(result.cachedTokens), {
    temperature: plan.temperature,
    topP: plan.topP,
    seed: plan.seed === undefined ? undefined : plan.seed >>> 0,
    yieldEogToken: true,
  });
  let stopped = false;
  for await (const token of tokens) {
    signal.throwIfAborted();
    result.completionTokens += 1;
    if (model.isEogToken(token)) {
      result.finishReason = 'stop';
      break;
    }
    const piece = streamer.push(token);
    if (piece.text.length > 0) yield piece.text;
    if (piece.stopped) {
      result.finishReason = 'stop';
      stopped = true;
      break;
    }
    if (result.completionTokens >= plan.maxTokens) break;
  }
  if (!stopped) {
    const rest = streamer.finish();
    if (rest.text.length > 0) yield rest.text;
    if (rest.stopped) result.finishReason = 'stop';
  }
}
