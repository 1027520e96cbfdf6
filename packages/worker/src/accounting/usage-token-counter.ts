/**
 * The worker's token counter (§5.1), SSE-aware: watches the engine's response body on its
 * way to the proxy, keeps the maximum `usage` counters seen, and injects the costs into
 * every value that carries usage. The body is either Server-Sent Events (`data: {...}`
 * lines) or concatenated / newline-delimited JSON values; the first non-whitespace byte
 * decides. Complete lines/values are forwarded at once (only an incomplete tail is held
 * back) and only values containing a `"usage"` object are parsed and re-serialized.
 * It also counts the SSE events that carry generated text: when a stream is cut (cancelled,
 * failed) before the engine reported usage, `billable` bills those as completion tokens (§19).
 */
import { adjustTokens } from '@cocoon/protocol';
import type { AdjustedTokens, PriceMultipliers, RawUsage } from '@cocoon/protocol';
import { JsonValueScanner } from './json-value-scanner.ts';
import { containsUsageObject, durationUsageSeconds, injectCosts, mergeUsage } from './usage-fields.ts';

export interface UsageTokenCounterOptions {
  /** The worker's coefficient (1000 = 1.0×). */
  coefficient: number;
  multipliers: PriceMultipliers;
  /** nanoTON per adjusted token, used for the injected cost fields. */
  pricePerToken: bigint;
}

type BodyFormat = 'unknown' | 'sse' | 'json';

const EMPTY = Buffer.alloc(0);
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const SPACE = 0x20;
const DATA_PREFIX = Buffer.from('data:');
const USAGE_KEY = Buffer.from('"usage"');
/** A streamed event with a non-empty generated piece (chat delta, legacy text, reasoning, tool arguments). */
const GENERATED_PIECE = /"(?:content|text|reasoning_content|arguments)"\s*:\s*"(?!")/;

function firstNonWhitespace(bytes: Buffer): number | undefined {
  for (const byte of bytes) if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return byte;
  return undefined;
}

export class UsageTokenCounter {
  readonly #options: UsageTokenCounterOptions;
  readonly #usage: RawUsage = { promptTokens: 0, cachedTokens: 0, completionTokens: 0, reasoningTokens: 0 };
  #adjusted: AdjustedTokens | undefined;
  #unbilledAudioSeconds = 0;
  #format: BodyFormat = 'unknown';
  #pending: Buffer = EMPTY;
  #scanned = 0;
  #generatedEvents = 0;
  readonly #scanner = new JsonValueScanner();

  constructor(options: UsageTokenCounterOptions) {
    this.#options = options;
  }

  /** Feeds a body chunk; returns the bytes that can be forwarded now. */
  transform(chunk: Buffer): Buffer {
    if (chunk.length === 0) return EMPTY;
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    if (this.#format === 'unknown') {
      const first = firstNonWhitespace(this.#pending);
      if (first === undefined) return EMPTY;
      this.#format = first === 0x7b || first === 0x5b ? 'json' : 'sse';
    }
    return this.#format === 'sse' ? this.#drainLines() : this.#drainValues();
  }

  /** Ends the body; returns the held-back tail (a last line without newline is still counted). */
  flush(): Buffer {
    const tail = this.#pending;
    this.#pending = EMPTY;
    if (this.#format === 'sse' && tail.length > 0) this.#countGeneratedEvents(tail);
    if (tail.length === 0 || !containsUsageObject(tail)) return tail;
    if (this.#format === 'sse') return this.#rewriteLines(tail);
    return this.#rewriteValue(tail) ?? tail;
  }

  /** Audio seconds the engine reported as `{type: 'duration'}` usage: no tokens, so billed 0. */
  get unbilledAudioSeconds(): number {
    return this.#unbilledAudioSeconds;
  }

  get rawUsage(): RawUsage {
    return { ...this.#usage };
  }

  /** SSE events seen so far that carried generated text (about one token each). */
  get generatedEvents(): number {
    return this.#generatedEvents;
  }

  /**
   * What to bill for a body that may have been cut: the engine's usage when it reported any,
   * else the generated events counted as completion tokens (the prompt is not billed then).
   */
  get billable(): AdjustedTokens {
    const usage = this.#usage;
    const reported = usage.promptTokens + usage.completionTokens + usage.cachedTokens + usage.reasoningTokens > 0;
    if (reported || this.#generatedEvents === 0) return this.adjusted;
    const counted: RawUsage = { promptTokens: 0, cachedTokens: 0, completionTokens: this.#generatedEvents, reasoningTokens: 0 };
    return adjustTokens(counted, this.#options.coefficient, this.#options.multipliers);
  }

  get adjusted(): AdjustedTokens {
    this.#adjusted ??= adjustTokens(this.#usage, this.#options.coefficient, this.#options.multipliers);
    return { ...this.#adjusted };
  }

  #countGeneratedEvents(lines: Buffer): void {
    for (let at = lines.indexOf(DATA_PREFIX); at >= 0; at = lines.indexOf(DATA_PREFIX, at + DATA_PREFIX.length)) {
      if (at > 0 && lines[at - 1] !== NEWLINE) continue;
      const newline = lines.indexOf(NEWLINE, at);
      const line = lines.toString('latin1', at, newline < 0 ? lines.length : newline);
      if (GENERATED_PIECE.test(line)) this.#generatedEvents += 1;
    }
  }

  #drainLines(): Buffer {
    const pending = this.#pending;
    const lastNewline = pending.lastIndexOf(NEWLINE);
    if (lastNewline < 0) return EMPTY;
    const complete = pending.subarray(0, lastNewline + 1);
    this.#pending = lastNewline + 1 === pending.length ? EMPTY : pending.subarray(lastNewline + 1);
    this.#countGeneratedEvents(complete);
    return this.#rewriteLines(complete); // one scan: returns `complete` itself when no line carries usage
  }

  /**
   * Rewrites the `data:` lines of `bytes` that carry usage; other bytes are kept as they are.
   * Jumps from one `"usage"` occurrence to the next instead of walking every line.
   */
  #rewriteLines(bytes: Buffer): Buffer {
    const pieces: Buffer[] = [];
    let copiedUpTo = 0;
    for (let at = bytes.indexOf(USAGE_KEY); at >= 0; ) {
      const start = bytes.lastIndexOf(NEWLINE, at) + 1;
      const newline = bytes.indexOf(NEWLINE, at);
      const lineEnd = newline < 0 ? bytes.length : newline;
      const contentEnd = lineEnd > start && bytes[lineEnd - 1] === CARRIAGE_RETURN ? lineEnd - 1 : lineEnd;
      const line = bytes.subarray(start, contentEnd);
      if (line.subarray(0, DATA_PREFIX.length).equals(DATA_PREFIX) && containsUsageObject(line)) {
        const payloadStart = line[DATA_PREFIX.length] === SPACE ? DATA_PREFIX.length + 1 : DATA_PREFIX.length;
        const replacement = this.#rewriteValue(line.subarray(payloadStart));
        if (replacement !== undefined) {
          pieces.push(bytes.subarray(copiedUpTo, start + payloadStart), replacement);
          copiedUpTo = contentEnd;
        }
      }
      at = lineEnd >= bytes.length ? -1 : bytes.indexOf(USAGE_KEY, lineEnd + 1);
    }
    if (pieces.length === 0) return bytes;
    pieces.push(bytes.subarray(copiedUpTo));
    return Buffer.concat(pieces);
  }

  #drainValues(): Buffer {
    const pending = this.#pending;
    const { values, openValueStart } = this.#scanner.scan(pending, this.#scanned);
    const forwardEnd = openValueStart >= 0 ? openValueStart : pending.length;
    this.#pending = forwardEnd === pending.length ? EMPTY : pending.subarray(forwardEnd);
    this.#scanned = pending.length - forwardEnd;
    this.#scanner.rebase(forwardEnd);
    if (forwardEnd === 0) return EMPTY;
    const complete = pending.subarray(0, forwardEnd);
    if (!containsUsageObject(complete)) return complete;
    const pieces: Buffer[] = [];
    let copiedUpTo = 0;
    for (let index = 0; index < values.length; index += 2) {
      const value = complete.subarray(values[index], values[index + 1]);
      if (!containsUsageObject(value)) continue;
      const replacement = this.#rewriteValue(value);
      if (replacement === undefined) continue;
      pieces.push(complete.subarray(copiedUpTo, values[index]), replacement);
      copiedUpTo = values[index + 1] as number;
    }
    if (pieces.length === 0) return complete;
    pieces.push(complete.subarray(copiedUpTo));
    return Buffer.concat(pieces);
  }

  /** Parses one JSON value; if it carries usage, counts it and returns it re-serialized with costs. */
  #rewriteValue(bytes: Buffer): Buffer | undefined {
    let value: unknown;
    try {
      value = JSON.parse(bytes.toString('utf8'));
    } catch {
      return undefined;
    }
    const usageObject = mergeUsage(value, this.#usage);
    if (usageObject === undefined) {
      const seconds = durationUsageSeconds(value);
      if (seconds !== undefined) this.#unbilledAudioSeconds = Math.max(this.#unbilledAudioSeconds, seconds);
      return undefined;
    }
    this.#adjusted = undefined;
    injectCosts(usageObject, this.adjusted, this.#options.pricePerToken);
    return Buffer.from(JSON.stringify(value), 'utf8');
  }
}
