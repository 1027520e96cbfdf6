/**
 * Encrypts a worker's answer back to the app that sent an encrypted request (§20), as the reference's
 * AnswerPostprocessor does after its usage and cost fields: every JSON object of the body — the one
 * object of a plain answer, each `data:` object of an SSE stream — is sealed on its own to the sender's
 * public key with the request's private key, direction "w", a fresh nonce each. It runs after the
 * token counter, on the bytes it forwards: complete lines / values pass at once, an incomplete tail
 * waits. `data: [DONE]` and SSE lines other than `data:` stay as they are; anything that would leave
 * the worker in clear otherwise (a non-JSON data line, a JSON value that is not an object, stray text)
 * fails the request instead (CCN_ERR_ENGINE_FAILED).
 */
import { CocoonError, KeyAgreement, sealJsonText } from '@cocoon/protocol';
import type { JsonObject, RandomBytes } from '@cocoon/protocol';
import { JsonValueScanner } from '../accounting/index.ts';

export interface AnswerEncryptorOptions {
  /** The private key the request was encrypted to (from proxy.runQueryEx). */
  privateKey: Uint8Array;
  /** The app's key, from the request's envelope. */
  receiverPublicKey: Uint8Array;
  random?: RandomBytes;
  /** The agreement that decrypted the request (same two keys): its secret is reused. */
  agreement?: KeyAgreement;
}

type BodyFormat = 'unknown' | 'sse' | 'json';

const EMPTY = Buffer.alloc(0);
const NEWLINE = 0x0a;
const DATA_PREFIX = 'data:';

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

function leaks(what: string): CocoonError {
  return new CocoonError('CCN_ERR_ENGINE_FAILED', `the engine answered ${what}: an encrypted answer cannot carry it`);
}

export class AnswerEncryptor {
  #format: BodyFormat = 'unknown';
  #pending: Buffer = EMPTY;
  #scanned = 0;
  readonly #scanner = new JsonValueScanner();
  /** Both keys stay the same for the whole answer: the key agreement is done once, the nonce is fresh per object. */
  readonly #agreement: KeyAgreement;

  constructor(private readonly options: AnswerEncryptorOptions) {
    this.#agreement = options.agreement ?? new KeyAgreement(options.privateKey);
  }

  /** Feeds forwarded bytes; returns the encrypted bytes that can be sent now. */
  transform(chunk: Buffer): Buffer {
    if (chunk.length === 0) return EMPTY;
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    if (this.#format === 'unknown') {
      const first = this.#pending.find((byte) => !isWhitespace(byte));
      if (first === undefined) return EMPTY;
      this.#format = first === 0x7b || first === 0x5b ? 'json' : 'sse';
    }
    return this.#format === 'sse' ? this.#drainLines(false) : this.#drainValues(false);
  }

  /** Ends the body: the held tail, encrypted (a last SSE line without newline included). */
  flush(): Buffer {
    if (this.#pending.length === 0) return EMPTY;
    return this.#format === 'sse' ? this.#drainLines(true) : this.#drainValues(true);
  }

  #seal(text: string): string {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw leaks('a line that is not JSON');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw leaks('a JSON value that is not an object');
    return sealJsonText(value as JsonObject, {
      senderPrivateKey: this.options.privateKey, receiverPublicKey: this.options.receiverPublicKey, direction: 'w', agreement: this.#agreement,
      ...(this.options.random ? { random: this.options.random } : {}),
    });
  }

  #drainLines(final: boolean): Buffer {
    const pending = this.#pending;
    const end = final ? pending.length : pending.lastIndexOf(NEWLINE) + 1;
    if (end === 0) return EMPTY;
    this.#pending = end === pending.length ? EMPTY : pending.subarray(end);
    const lines = pending.toString('utf8', 0, end).split('\n');
    return Buffer.from(lines.map((line) => this.#sealLine(line)).join('\n'), 'utf8');
  }

  #sealLine(rawLine: string): string {
    const carriageReturn = rawLine.endsWith('\r');
    const line = carriageReturn ? rawLine.slice(0, -1) : rawLine;
    if (!line.startsWith(DATA_PREFIX)) return rawLine; // blank separators, comments, event:, id:, retry:
    const payload = line.slice(DATA_PREFIX.length).trim();
    if (payload === '[DONE]') return rawLine;
    return `data: ${this.#seal(payload)}${carriageReturn ? '\r' : ''}`;
  }

  #drainValues(final: boolean): Buffer {
    const pending = this.#pending;
    const { values, openValueStart } = this.#scanner.scan(pending, this.#scanned);
    const end = openValueStart >= 0 ? openValueStart : pending.length;
    if (final && end < pending.length) throw leaks('an incomplete JSON value');
    this.#pending = end === pending.length ? EMPTY : pending.subarray(end);
    this.#scanned = pending.length - end;
    this.#scanner.rebase(end);
    const pieces: Buffer[] = [];
    let copiedUpTo = 0;
    for (let index = 0; index < values.length; index += 2) {
      const start = values[index] as number;
      const stop = values[index + 1] as number;
      this.#checkGap(pending, copiedUpTo, start);
      pieces.push(pending.subarray(copiedUpTo, start), Buffer.from(this.#seal(pending.toString('utf8', start, stop)), 'utf8'));
      copiedUpTo = stop;
    }
    this.#checkGap(pending, copiedUpTo, end);
    pieces.push(pending.subarray(copiedUpTo, end));
    return Buffer.concat(pieces);
  }

  /** Bytes between values must be whitespace: anything else would leave in clear. */
  #checkGap(bytes: Buffer, from: number, to: number): void {
    for (let index = from; index < to; index++) if (!isWhitespace(bytes[index] as number)) throw leaks('text outside a JSON object');
  }
}
