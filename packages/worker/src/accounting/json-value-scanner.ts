/**
 * Incremental scanner that finds the boundaries of top-level JSON objects/arrays in a
 * byte stream of concatenated or newline-delimited JSON values, without parsing them.
 * Keeps its state between chunks so every byte is scanned once. Malformed input never
 * throws: stray bytes between values are treated as separators.
 */
import { QUOTE, BACKSLASH, OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET } from '../json/json-byte-codes.ts';

export interface ScanResult {
  /** [start, end) byte ranges of the values completed in this scan, relative to the buffer. */
  values: number[];
  /** Start of the value still open at the end of the buffer, or -1 if none. */
  openValueStart: number;
}

export class JsonValueScanner {
  #depth = 0;
  #inString = false;
  #escaped = false;
  #valueStart = -1;

  /** Scans `buffer` from `from` onwards (bytes before were scanned by earlier calls). */
  scan(buffer: Buffer, from: number): ScanResult {
    const values: number[] = [];
    let depth = this.#depth;
    let inString = this.#inString;
    let escaped = this.#escaped;
    let valueStart = this.#valueStart;
    const length = buffer.length;
    let nextBackslash = -1;
    for (let index = from; index < length; index++) {
      if (inString) {
        // Jump over string contents with indexOf (native) instead of a byte loop.
        if (escaped) {
          escaped = false;
          continue;
        }
        if (nextBackslash < index) {
          nextBackslash = buffer.indexOf(BACKSLASH, index);
          if (nextBackslash < 0) nextBackslash = length;
        }
        let quote = buffer.indexOf(QUOTE, index);
        if (quote < 0) quote = length;
        if (nextBackslash < quote) {
          index = nextBackslash;
          escaped = true;
        } else {
          index = quote;
          inString = quote === length;
        }
        continue;
      }
      const byte = buffer[index] as number;
      if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
        if (depth === 0) valueStart = index;
        depth++;
      } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        if (depth === 0) continue;
        depth--;
        if (depth === 0) {
          values.push(valueStart, index + 1);
          valueStart = -1;
        }
      } else if (byte === QUOTE && depth > 0) {
        inString = true;
      }
    }
    this.#depth = depth;
    this.#inString = inString;
    this.#escaped = escaped;
    this.#valueStart = valueStart;
    return { values, openValueStart: valueStart };
  }

  /** Shifts the open value's start after the caller dropped `count` leading bytes. */
  rebase(count: number): void {
    if (this.#valueStart >= 0) this.#valueStart -= count;
  }
}
