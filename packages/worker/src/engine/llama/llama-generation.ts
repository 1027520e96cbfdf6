/**
 * Runs generations on a lent context sequence. A run reuses the longest prompt prefix already
 * in the sequence's KV cache (reported as cached tokens) and then goes through phases: each
 * phase samples tokens (temperature/top_p/seed, logit bias, penalties, optionally a grammar)
 * and yields text pieces until an end-of-generation token, a stop string, or the token budget;
 * between phases tokens can be forced (a tool call's syntax), and they count as completion
 * tokens like sampled ones. Breaking out of a phase (which closes the native token iterator)
 * or aborting `signal` stops decoding at the next token.
 */
import { LlamaGrammarEvaluationState, TokenBias } from 'node-llama-cpp';
import type { LlamaContextSequence, LlamaGrammar, LlamaModel, SequenceEvaluateOptions, Token } from 'node-llama-cpp';
import { LlamaTextStreamer } from './llama-text-streamer.ts';

export interface LlamaSampling {
  temperature: number;
  topP: number | undefined;
  seed: number | undefined;
  logitBias: ReadonlyMap<number, number>;
  presencePenalty: number | undefined;
  frequencyPenalty: number | undefined;
}

export interface LlamaGenerationResult {
  finishReason: 'stop' | 'length' | 'tool_calls';
  promptTokens: number;
  cachedTokens: number;
  completionTokens: number;
}

/** One generated token's log-probability and its most likely alternatives. */
export interface TokenLogprob {
  token: string;
  logprob: number;
  top: Array<{ token: string; logprob: number }>;
}

export interface GeneratedPiece {
  text: string;
  /** Log-probabilities of the tokens decoded since the previous piece, when asked for. */
  logprobs?: TokenLogprob[];
}

export interface PhaseOptions {
  grammar?: LlamaGrammar;
  stops: readonly string[];
  /** Alternatives per token to report; undefined: no logprobs. */
  logprobs?: number;
}

export interface PhaseOutcome {
  end: 'eog' | 'stop' | 'length';
  /** The stop string that ended the phase, and the text decoded after it. */
  stop?: string;
  after?: string;
}

const LOGPROB_FLOOR = -9999;
const logOf = (probability: number | undefined): number => (probability !== undefined && probability > 0 ? Math.max(Math.log(probability), LOGPROB_FLOOR) : LOGPROB_FLOOR);

/** One choice's generation on a sequence: prefix reuse, then phases and forced tokens. */
export class LlamaGenerationRun {
  readonly result: LlamaGenerationResult;
  readonly #model: LlamaModel;
  readonly #sequence: LlamaContextSequence;
  readonly #signal: AbortSignal;
  readonly #sampling: LlamaSampling;
  readonly #maxTokens: number;
  /** Prompt, sampled and forced tokens: what the sequence's context should hold. */
  readonly #tokens: Token[];
  readonly #generated: Token[] = [];
  readonly #promptTokens: Token[];
  #started = false;

  constructor(model: LlamaModel, sequence: LlamaContextSequence, promptTokens: Token[], maxTokens: number, sampling: LlamaSampling, signal: AbortSignal) {
    this.#model = model;
    this.#sequence = sequence;
    this.#promptTokens = promptTokens;
    this.#tokens = [...promptTokens];
    this.#maxTokens = maxTokens;
    this.#sampling = sampling;
    this.#signal = signal;
    this.result = { finishReason: 'length', promptTokens: promptTokens.length, cachedTokens: 0, completionTokens: 0 };
  }

  /** Completion tokens left in the budget. */
  get budget(): number {
    return Math.max(0, this.#maxTokens - this.result.completionTokens);
  }

  /** Adds tokens to the answer without sampling them (evaluated with the next phase). */
  force(tokens: readonly Token[]): void {
    this.#tokens.push(...tokens);
    this.#generated.push(...tokens);
    this.result.completionTokens += tokens.length;
  }

  /** Samples tokens until end of generation, a stop string or the budget; yields text pieces. */
  async *phase(options: PhaseOptions, outcome: PhaseOutcome): AsyncGenerator<GeneratedPiece> {
    outcome.end = 'length';
    if (this.budget <= 0) return;
    this.#signal.throwIfAborted();
    const input = await this.#pendingInput();
    const model = this.#model;
    const streamer = new LlamaTextStreamer((tokens, lastTokens) => model.detokenize(tokens as readonly Token[], false, lastTokens as readonly Token[]), options.stops);
    const grammarEvaluationState = options.grammar === undefined ? undefined : new LlamaGrammarEvaluationState({ model, grammar: options.grammar });
    const evaluateOptions = this.#evaluateOptions(grammarEvaluationState);
    const wantLogprobs = options.logprobs !== undefined;
    const tokens = this.#sequence.evaluateWithMetadata(input, { probabilities: wantLogprobs }, evaluateOptions);
    let logprobs: TokenLogprob[] = [];
    let ended = false;
    for await (const output of tokens) {
      this.#signal.throwIfAborted();
      const token = output.token;
      this.result.completionTokens += 1;
      if (model.isEogToken(token)) {
        outcome.end = 'eog';
        ended = true;
        break;
      }
      this.#tokens.push(token);
      this.#generated.push(token);
      if (wantLogprobs) logprobs.push(this.#logprob(token, (output as { probabilities?: Map<Token, number> }).probabilities, options.logprobs ?? 0));
      const piece = streamer.push(token);
      if (piece.text.length > 0 || (piece.stopped && logprobs.length > 0)) {
        yield wantLogprobs ? { text: piece.text, logprobs } : { text: piece.text };
        logprobs = [];
      }
      if (piece.stopped) {
        outcome.end = 'stop';
        outcome.stop = piece.stop;
        outcome.after = piece.after;
        return;
      }
      if (this.budget <= 0) break;
    }
    const rest = streamer.finish();
    if (rest.text.length > 0 || logprobs.length > 0) yield wantLogprobs ? { text: rest.text, logprobs } : { text: rest.text };
    if (rest.stopped) {
      outcome.end = 'stop';
      outcome.stop = rest.stop;
      outcome.after = rest.after;
    } else if (!ended) outcome.end = 'length';
  }

  /** The tokens the sequence has yet to evaluate (the last sampled one at least). */
  async #pendingInput(): Promise<Token[]> {
    if (!this.#started) {
      this.#started = true;
      this.result.cachedTokens = await reusePrefix(this.#sequence, this.#promptTokens);
    }
    const evaluated = Math.min(this.#sequence.nextTokenIndex, this.#tokens.length);
    if (evaluated < this.#sequence.nextTokenIndex) await this.#sequence.eraseContextTokenRanges([{ start: evaluated, end: this.#sequence.nextTokenIndex }]);
    if (evaluated < this.#tokens.length) return this.#tokens.slice(evaluated);
    // Everything is evaluated already: evaluate the last token again so its logits sample the next one.
    await this.#sequence.eraseContextTokenRanges([{ start: evaluated - 1, end: evaluated }]);
    return this.#tokens.slice(evaluated - 1);
  }

  #evaluateOptions(grammarEvaluationState: LlamaGrammarEvaluationState | undefined): SequenceEvaluateOptions {
    const sampling = this.#sampling;
    let tokenBias: TokenBias | undefined;
    if (sampling.logitBias.size > 0) {
      tokenBias = new TokenBias(this.#model.tokenizer);
      for (const [token, bias] of sampling.logitBias) tokenBias.set(token as Token, bias <= -100 ? 'never' : { logit: bias });
    }
    const penalize = (sampling.presencePenalty ?? 0) !== 0 || (sampling.frequencyPenalty ?? 0) !== 0;
    return {
      temperature: sampling.temperature,
      topP: sampling.topP,
      seed: sampling.seed === undefined ? undefined : sampling.seed >>> 0,
      yieldEogToken: true,
      ...(grammarEvaluationState === undefined ? {} : { grammarEvaluationState }),
      ...(tokenBias === undefined ? {} : { tokenBias }),
      ...(penalize
        ? { repeatPenalty: { punishTokens: () => this.#generated, penalty: 1, presencePenalty: sampling.presencePenalty ?? 0, frequencyPenalty: sampling.frequencyPenalty ?? 0 } }
        : {}),
    };
  }

  #logprob(token: Token, probabilities: Map<Token, number> | undefined, top: number): TokenLogprob {
    const text = (candidate: Token): string => this.#model.detokenize([candidate], false);
    const alternatives: Array<{ token: string; logprob: number }> = [];
    if (probabilities !== undefined && top > 0) {
      for (const [candidate, probability] of probabilities) {
        if (alternatives.length >= top) break;
        alternatives.push({ token: text(candidate), logprob: logOf(probability) });
      }
    }
    return { token: text(token), logprob: probabilities === undefined ? 0 : logOf(probabilities.get(token)), top: alternatives };
  }
}

/** Drops the sequence's cached tokens past the common prefix; returns how many are reused. */
async function reusePrefix(sequence: LlamaContextSequence, tokens: Token[]): Promise<number> {
  // At least the last prompt token is evaluated again: its logits sample the first new token.
  const reused = Math.min(sequence.compareContextTokens(tokens).firstDifferentIndex, tokens.length - 1);
  if (reused < sequence.nextTokenIndex) await sequence.eraseContextTokenRanges([{ start: reused, end: sequence.nextTokenIndex }]);
  return reused;
}
