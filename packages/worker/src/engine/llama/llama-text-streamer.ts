/**
 * Turns generated tokens into text pieces for streaming: holds back tokens that end in
 * an incomplete UTF-8 character (up to 4), and holds back text that could be the start of a
 * stop string, so a stop string is never streamed and the answer ends right before it.
 */

export type Detokenize = (tokens: readonly number[], lastTokens: readonly number[]) => string;

export interface StreamedText {
  text: string;
  /** A stop string was found; `text` ends right before it and generation should end. */
  stopped: boolean;
  /** The stop string found, and the text decoded after it (a tool call can continue from there). */
  stop?: string;
  after?: string;
}

const REPLACEMENT_CHARACTER = '\uFFFD';
const MAX_PENDING_TOKENS = 4;
const CONTEXT_TOKENS = 8;

export class LlamaTextStreamer {
  readonly #detokenize: Detokenize;
  readonly #stops: readonly string[];
  #pending: number[] = [];
  #previous: number[] = [];
  #held = '';

  constructor(detokenize: Detokenize, stops: readonly string[]) {
    this.#detokenize = detokenize;
    this.#stops = stops.filter((stop) => stop.length > 0);
  }

  /** Adds one generated token; returns the text that may be sent now. */
  push(token: number): StreamedText {
    this.#pending.push(token);
    const piece = this.#detokenize(this.#pending, this.#previous);
    if (piece.endsWith(REPLACEMENT_CHARACTER) && this.#pending.length < MAX_PENDING_TOKENS) return { text: '', stopped: false };
    this.#previous = [...this.#previous, ...this.#pending].slice(-CONTEXT_TOKENS);
    this.#pending = [];
    return this.#accept(piece);
  }

  /** Ends the stream: returns everything still held back (stop strings still apply). */
  finish(): StreamedText {
    const piece = this.#pending.length > 0 ? this.#detokenize(this.#pending, this.#previous) : '';
    this.#pending = [];
    const accepted = this.#accept(piece);
    if (accepted.stopped) return accepted;
    const text = accepted.text + this.#held;
    this.#held = '';
    return { text, stopped: false };
  }

  #accept(piece: string): StreamedText {
    const text = this.#held + piece;
    let cut = -1;
    let found = '';
    for (const stop of this.#stops) {
      const index = text.indexOf(stop);
      if (index >= 0 && (cut < 0 || index < cut || (index === cut && stop.length > found.length))) {
        cut = index;
        found = stop;
      }
    }
    if (cut >= 0) {
      this.#held = '';
      return { text: text.slice(0, cut), stopped: true, stop: found, after: text.slice(cut + found.length) };
    }
    const keep = this.#stopPrefixLength(text);
    this.#held = text.slice(text.length - keep);
    return { text: text.slice(0, text.length - keep), stopped: false };
  }

  /** Length of the longest suffix of `text` that is a proper prefix of a stop string. */
  #stopPrefixLength(text: string): number {
    let longest = 0;
    for (const stop of this.#stops) {
      for (let length = Math.min(stop.length - 1, text.length); length > longest; length--) {
        if (text.endsWith(stop.slice(0, length))) {
          longest = length;
          break;
        }
      }
    }
    return longest;
  }
}
