/**
 * The one strict JSON checker of COCOON's HTTP edges (client and worker): a single pass over the
 * raw UTF-8 bytes, BEFORE they are decoded and given to JSON.parse, that refuses nesting deeper
 * than a limit (deep input overflows the stack of JSON.stringify and of recursive readers), more
 * values than a cap (stopping as soon as it is crossed, without building objects) and duplicate
 * object keys, compared after unescaping (JSON.parse silently keeps the last one, so two readers
 * could see different values). It follows the JSON grammar of containers, keys and strings;
 * scalars (numbers, literals) and escapes inside value strings are left to JSON.parse, which runs
 * only on input that passed. Plain ASCII keys are compared as bytes, others as JSON.parse decodes
 * them (escapes, UTF-8, invalid UTF-8).
 */
import { CocoonError } from '../errors/error-table.ts';

export interface JsonStructureLimits {
  /** Deepest accepted nesting of objects and arrays (the top-level container is level 1). */
  maxDepth: number;
  /** Most values (containers and scalars, at every level) accepted in one text. */
  maxValues: number;
}

/** 64 levels leave room for deep tool JSON schemas; 100 000 values for long conversations. */
export const DEFAULT_JSON_STRUCTURE_LIMITS: Readonly<JsonStructureLimits> = Object.freeze({ maxDepth: 64, maxValues: 100_000 });

/** Longest key quoted back in a duplicate-key refusal. */
export const MAX_QUOTED_KEY_CHARS = 100;

export type JsonStructureProblem =
  | { kind: 'too_deep'; limit: number }
  | { kind: 'too_complex'; limit: number }
  /** `key` is unescaped and truncated to MAX_QUOTED_KEY_CHARS characters (with '…'). */
  | { kind: 'duplicate_key'; key: string }
  | { kind: 'syntax'; position: number };

const TAB = 0x09;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACKET = 0x5b;
const BACKSLASH = 0x5c;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/** What the grammar allows next (numbers, not an enum: the checker's hot loop compares them). */
const Expect = {
  /** A value (top level, after a colon, after a comma in an array). */
  Value: 0,
  /** A value or `]` (right after `[`). */
  ValueOrClose: 1,
  /** A key or `}` (right after `{`). */
  KeyOrClose: 2,
  /** A key (after a comma in an object). */
  Key: 3,
  Colon: 4,
  CommaOrClose: 5,
  /** Only whitespace: the top-level value is complete. */
  End: 6,
} as const;
type Expect = (typeof Expect)[keyof typeof Expect];

/** Frame value of an open array; an open object's frame is the index of its first key in `keys`. */
const ARRAY_FRAME = -1;
/** Objects with at most this many keys are checked pairwise, larger ones through a Set. */
const PAIRWISE_KEY_LIMIT = 8;

function isWhitespace(code: number): boolean {
  return code === SPACE || code === LINE_FEED || code === CARRIAGE_RETURN || code === TAB;
}

/** Whether `code` ends a scalar (number or literal): whitespace or a structural character. */
function endsScalar(code: number): boolean {
  return isWhitespace(code) || code === COMMA || code === COLON || code === CLOSE_BRACKET || code === CLOSE_BRACE
    || code === OPEN_BRACKET || code === OPEN_BRACE || code === QUOTE;
}

/** Index of the quote closing the string opened at `start`, or -1 when it is never closed. */
function stringEnd(bytes: Uint8Array, start: number): number {
  const length = bytes.length;
  for (let index = start + 1; index < length; index++) {
    const code = bytes[index] as number;
    if (code === QUOTE) return index;
    if (code === BACKSLASH) index++;
  }
  return -1;
}

/** Whether bytes[from, to) are plain ASCII without escapes (compared as bytes, decoded as latin1). */
function isPlainKey(bytes: Uint8Array, from: number, to: number): boolean {
  for (let index = from; index < to; index++) {
    const code = bytes[index] as number;
    if (code === BACKSLASH || code >= 0x80) return false;
  }
  return true;
}

/** `key`, cut to MAX_QUOTED_KEY_CHARS characters with an ellipsis when longer. */
export function truncateKey(key: string): string {
  return key.length <= MAX_QUOTED_KEY_CHARS ? key : `${key.slice(0, MAX_QUOTED_KEY_CHARS)}…`;
}

/**
 * The keys of every open object, innermost last, kept as positions in the bytes: nothing is
 * allocated per plain key until its object closes with more than PAIRWISE_KEY_LIMIT keys, so input
 * cut short by a limit (one huge unclosed object) never pays for its keys. Other keys are decoded
 * once, when added, exactly as JSON.parse will read them.
 */
class OpenKeys {
  /** Per key: the index of its first byte (after the opening quote), then of its closing quote. */
  private bounds = new Int32Array(64);
  private keyCount = 0;
  /** The decoded text of keys that are not plain ASCII, by key index. */
  private readonly decoded = new Map<number, string>();
  private readonly buffer: Buffer;

  constructor(private readonly bytes: Uint8Array) {
    this.buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get count(): number {
    return this.keyCount;
  }

  /** Adds the key whose quotes are at `open` and `close`; false when its escapes are bad. */
  add(open: number, close: number): boolean {
    if (!isPlainKey(this.bytes, open + 1, close)) {
      try {
        this.decoded.set(this.keyCount, JSON.parse(this.buffer.toString('utf8', open, close + 1)) as string);
      } catch {
        return false;
      }
    }
    if (2 * this.keyCount + 2 > this.bounds.length) {
      const grown = new Int32Array(this.bounds.length * 2);
      grown.set(this.bounds);
      this.bounds = grown;
    }
    this.bounds[2 * this.keyCount] = open + 1;
    this.bounds[2 * this.keyCount + 1] = close;
    this.keyCount++;
    return true;
  }

  /** The first key from index `from` on that appears twice there, or undefined; then drops them. */
  takeDuplicate(from: number): string | undefined {
    const duplicate = this.duplicateFrom(from);
    if (this.decoded.size > 0) for (let index = from; index < this.keyCount; index++) this.decoded.delete(index);
    this.keyCount = from;
    return duplicate;
  }

  private duplicateFrom(from: number): string | undefined {
    const count = this.keyCount;
    if (count - from < 2) return undefined;
    if (count - from <= PAIRWISE_KEY_LIMIT) {
      for (let later = from + 1; later < count; later++) {
        for (let earlier = from; earlier < later; earlier++) if (this.same(earlier, later)) return this.key(later);
      }
      return undefined;
    }
    const seen = new Set<string>();
    for (let index = from; index < count; index++) {
      const key = this.key(index);
      if (seen.has(key)) return key;
      seen.add(key);
    }
    return undefined;
  }

  private key(index: number): string {
    return this.decoded.get(index) ?? this.buffer.toString('latin1', this.bounds[2 * index], this.bounds[2 * index + 1]);
  }

  private same(first: number, second: number): boolean {
    if (this.decoded.has(first) || this.decoded.has(second)) return this.key(first) === this.key(second);
    const start = this.bounds[2 * first] as number;
    const other = this.bounds[2 * second] as number;
    const length = (this.bounds[2 * first + 1] as number) - start;
    if ((this.bounds[2 * second + 1] as number) - other !== length) return false;
    for (let offset = 0; offset < length; offset++) if (this.bytes[start + offset] !== this.bytes[other + offset]) return false;
    return true;
  }
}

/**
 * Returns the first problem of `input` (UTF-8 bytes, or a string to encode): too deep, too many
 * values, a duplicate key, or a grammar error the checker saw; undefined when JSON.parse may
 * safely run on it. Linear in the input; `position` of a syntax problem is a byte offset.
 */
export function findJsonStructureProblem(input: Uint8Array | string, limits: Partial<JsonStructureLimits> = {}): JsonStructureProblem | undefined {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  const maxDepth = limits.maxDepth ?? DEFAULT_JSON_STRUCTURE_LIMITS.maxDepth;
  const maxValues = limits.maxValues ?? DEFAULT_JSON_STRUCTURE_LIMITS.maxValues;
  /** One frame per open container (ARRAY_FRAME, or where the object's keys start in `keys`). */
  const stack: number[] = [];
  const keys = new OpenKeys(bytes);
  let top = ARRAY_FRAME;
  let expect: Expect = Expect.Value;
  let values = 0;
  const length = bytes.length;

  for (let index = 0; index < length; index++) {
    const code = bytes[index] as number;
    if (isWhitespace(code)) continue;
    switch (expect) {
      case Expect.Value:
      case Expect.ValueOrClose: {
        if (code === CLOSE_BRACKET && expect === Expect.ValueOrClose) {
          stack.pop(); // an empty array (no closure here: the loop's state stays in registers)
          top = stack.length === 0 ? ARRAY_FRAME : (stack[stack.length - 1] as number);
          expect = stack.length === 0 ? Expect.End : Expect.CommaOrClose;
          break;
        }
        if (++values > maxValues) return { kind: 'too_complex', limit: maxValues };
        if (code === OPEN_BRACE || code === OPEN_BRACKET) {
          if (stack.length >= maxDepth) return { kind: 'too_deep', limit: maxDepth };
          top = code === OPEN_BRACE ? keys.count : ARRAY_FRAME;
          stack.push(top);
          expect = code === OPEN_BRACE ? Expect.KeyOrClose : Expect.ValueOrClose;
          break;
        }
        if (code === QUOTE) {
          const end = stringEnd(bytes, index);
          if (end < 0) return { kind: 'syntax', position: index };
          index = end;
        } else {
          let end = index;
          while (end < length && !endsScalar(bytes[end] as number)) end++;
          if (end === index) return { kind: 'syntax', position: index };
          index = end - 1;
        }
        expect = stack.length === 0 ? Expect.End : Expect.CommaOrClose;
        break;
      }
      case Expect.KeyOrClose:
      case Expect.Key: {
        if (code === CLOSE_BRACE && expect === Expect.KeyOrClose) {
          stack.pop(); // an empty object
          top = stack.length === 0 ? ARRAY_FRAME : (stack[stack.length - 1] as number);
          expect = stack.length === 0 ? Expect.End : Expect.CommaOrClose;
          break;
        }
        if (code !== QUOTE) return { kind: 'syntax', position: index };
        const end = stringEnd(bytes, index);
        if (end < 0) return { kind: 'syntax', position: index };
        if (!keys.add(index, end)) return { kind: 'syntax', position: index };
        index = end;
        expect = Expect.Colon;
        break;
      }
      case Expect.Colon:
        if (code !== COLON) return { kind: 'syntax', position: index };
        expect = Expect.Value;
        break;
      case Expect.CommaOrClose:
        if (code === COMMA) {
          expect = top === ARRAY_FRAME ? Expect.Value : Expect.Key;
        } else if ((code === CLOSE_BRACE && top !== ARRAY_FRAME) || (code === CLOSE_BRACKET && top === ARRAY_FRAME)) {
          const closed = stack.pop() as number;
          const duplicate = closed === ARRAY_FRAME ? undefined : keys.takeDuplicate(closed);
          if (duplicate !== undefined) return { kind: 'duplicate_key', key: truncateKey(duplicate) };
          top = stack.length === 0 ? ARRAY_FRAME : (stack[stack.length - 1] as number);
          expect = stack.length === 0 ? Expect.End : Expect.CommaOrClose;
        } else {
          return { kind: 'syntax', position: index };
        }
        break;
      case Expect.End:
        return { kind: 'syntax', position: index };
    }
  }
  return expect === Expect.End ? undefined : { kind: 'syntax', position: length };
}

/** The problem in words, after "request JSON" (e.g. "is nested deeper than 64 levels"). */
export function describeJsonStructureProblem(problem: JsonStructureProblem): string {
  switch (problem.kind) {
    case 'too_deep':
      return `is nested deeper than ${problem.limit} levels`;
    case 'too_complex':
      return `has more than ${problem.limit} values`;
    case 'duplicate_key':
      return `has a duplicate key '${problem.key}'`;
    case 'syntax':
      return 'is not valid JSON';
  }
}

/** The HTTP edge's 400 refusal for a problem (CCN_ERR_HTTP_JSON_* or CCN_ERR_HTTP_BAD_JSON). */
export function jsonStructureError(problem: JsonStructureProblem): CocoonError {
  switch (problem.kind) {
    case 'too_deep':
      return new CocoonError('CCN_ERR_HTTP_JSON_TOO_DEEP', `request JSON ${describeJsonStructureProblem(problem)}`);
    case 'too_complex':
      return new CocoonError('CCN_ERR_HTTP_JSON_TOO_COMPLEX', `request JSON ${describeJsonStructureProblem(problem)}`);
    case 'duplicate_key':
      return new CocoonError('CCN_ERR_HTTP_JSON_DUPLICATE_KEY', `request JSON ${describeJsonStructureProblem(problem)}`, { param: problem.key });
    case 'syntax':
      return new CocoonError('CCN_ERR_HTTP_BAD_JSON', 'request body is not valid JSON');
  }
}

/**
 * Checks then parses a request body: throws the CocoonError of the first structure problem, or
 * CCN_ERR_HTTP_BAD_JSON when JSON.parse refuses what the checker let through (bad scalars or escapes).
 */
export function parseCheckedJson(raw: Buffer | string, limits: Partial<JsonStructureLimits> = {}): unknown {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
  const problem = findJsonStructureProblem(bytes, limits);
  if (problem !== undefined) throw jsonStructureError(problem);
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    throw new CocoonError('CCN_ERR_HTTP_BAD_JSON', 'request body is not valid JSON');
  }
}
