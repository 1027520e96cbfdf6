/**
 * Finds a duplicate object key anywhere in a JSON text. JSON.parse silently keeps the
 * last of two equal keys, which would let a client and the engine read different values
 * (the reference rejects duplicates, §4.6). Expects text that JSON.parse already accepted.
 */
import { QUOTE, BACKSLASH, OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET, COMMA } from '../json/json-byte-codes.ts';

interface ContainerState {
  /** Keys seen so far; null for arrays. */
  keys: Set<string> | null;
  expectKey: boolean;
}

/** Index of the closing quote of the string whose opening quote is at `start`. */
function stringEnd(text: string, start: number): number {
  let position = start + 1;
  for (;;) {
    const quote = text.indexOf('"', position);
    if (quote < 0) return text.length;
    let backslashes = 0;
    for (let index = quote - 1; index > start && text.charCodeAt(index) === BACKSLASH; index--) backslashes++;
    if (backslashes % 2 === 0) return quote;
    position = quote + 1;
  }
}

/** Returns the first key that appears twice in one object, or undefined. */
export function findDuplicateKey(text: string): string | undefined {
  const stack: ContainerState[] = [];
  let top: ContainerState | undefined;
  const length = text.length;
  for (let index = 0; index < length; index++) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) {
      const end = stringEnd(text, index);
      if (top !== undefined && top.keys !== null && top.expectKey) {
        const raw = text.slice(index + 1, end);
        const key = raw.includes('\\') ? (JSON.parse(text.slice(index, end + 1)) as string) : raw;
        if (top.keys.has(key)) return key;
        top.keys.add(key);
        top.expectKey = false;
      }
      index = end;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      top = { keys: code === OPEN_BRACE ? new Set() : null, expectKey: code === OPEN_BRACE };
      stack.push(top);
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      stack.pop();
      top = stack[stack.length - 1];
    } else if (code === COMMA && top !== undefined && top.keys !== null) {
      top.expectKey = true;
    }
  }
  return undefined;
}
