/**
 * The app's side of proto-3 encrypted requests, browser-safe so it can live in an SDK unchanged:
 * `encryptRequest` turns an OpenAI request body into the encrypted JSON text to POST to a client
 * runner (with `receiver_public_key`, the network key registered on the root); `decryptAnswer` reads a
 * non-streamed answer; `SseAnswerDecryptor` reads a streamed one chunk by chunk (every `data:` object is
 * encrypted on its own). Answers are checked to come from the key the request was encrypted to and to
 * be encrypted to the app's key; the envelope fields are removed from what is returned.
 */
import { CocoonError } from '../errors/error-table.ts';
import type { RandomBytes } from './encryption-bytes.ts';
import { isJsonObject } from './canonical-json.ts';
import type { JsonObject } from './canonical-json.ts';
import { ENVELOPE_FIELDS, openJsonObject, sealJsonText } from './encrypted-json.ts';
import { encryptionRefusal } from './encryption-refusal.ts';
import { parseEncryptionPublicKey } from './encryption-public-key.ts';
import { KeyAgreement } from './shared-secret.ts';

export interface RequestEncryptionKeys {
  /** The app's 32-byte Ed25519 private seed (only used to agree keys; keep one per app or per session). */
  senderKey: Uint8Array;
  /** The network's encryption key: 32 bytes, or 64 hex digits / 44 base64 characters. */
  receiverPublicKey: Uint8Array | string;
  /**
   * `new KeyAgreement(senderKey)`, kept by an app across its requests: request and answer share one X25519
   * secret per pair of keys, so only the first request pays the two scalar multiplications.
   */
  agreement?: KeyAgreement;
}

export interface EncryptRequestOptions extends RequestEncryptionKeys {
  /** Randomness for the nonce and the paddings (default: WebCrypto). */
  random?: RandomBytes;
}

function receiverKeyOf(keys: RequestEncryptionKeys): Uint8Array {
  const key = parseEncryptionPublicKey(keys.receiverPublicKey);
  if (key === undefined) throw new CocoonError('CCN_ERR_ENCRYPTION_BAD_PUBLIC_KEY', undefined, { param: 'receiver_public_key' });
  return key;
}

function objectOf(value: string | JsonObject, what: string): JsonObject {
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new CocoonError('CCN_ERR_HTTP_BAD_JSON', `${what} is not valid JSON`);
    }
  }
  if (!isJsonObject(parsed)) throw new CocoonError('CCN_ERR_HTTP_BAD_JSON', `${what} must be a JSON object`);
  return parsed;
}

/** The encrypted request body (JSON text, keys in the reference's order). */
export function encryptRequest(body: string | JsonObject, options: EncryptRequestOptions): string {
  const receiverPublicKey = receiverKeyOf(options);
  return sealJsonText(objectOf(body, 'the request body'), {
    senderPrivateKey: options.senderKey, receiverPublicKey, direction: 'c', ...(options.random ? { random: options.random } : {}),
    ...(options.agreement ? { agreement: options.agreement } : {}),
  });
}

function withoutEnvelope(object: JsonObject): JsonObject {
  const out: JsonObject = { ...object };
  for (const field of ENVELOPE_FIELDS) delete out[field];
  return out;
}

/** One decrypted answer object; refuses a clear one, one from another sender, or a tampered one. */
export function decryptAnswerObject(answer: JsonObject, keys: RequestEncryptionKeys, agreement = keys.agreement): JsonObject {
  const opened = openJsonObject(answer, {
    privateKey: keys.senderKey, direction: 'w', expectedSenderPublicKey: receiverKeyOf(keys), ...(agreement ? { agreement } : {}),
  });
  return withoutEnvelope(opened.object);
}

/** A non-streamed answer body (text or parsed). Check the HTTP status first: error bodies are not encrypted. */
export function decryptAnswer(answer: string | JsonObject, keys: RequestEncryptionKeys): JsonObject {
  return decryptAnswerObject(objectOf(answer, 'the answer'), keys);
}

export type SseAnswerEvent =
  | { type: 'data'; data: JsonObject }
  | { type: 'done' }
  /** A clear `{"error": …}` event: the client runner's own report of a failed stream (never from the worker). */
  | { type: 'error'; error: JsonObject };

/** Reads an SSE answer as it arrives: push text chunks, get the decrypted events of every complete line. */
export class SseAnswerDecryptor {
  #pending = '';
  /** One key agreement for the whole stream: every chunk has a fresh nonce, but the same two keys. */
  readonly #agreement: KeyAgreement;

  constructor(private readonly keys: RequestEncryptionKeys) {
    this.#agreement = keys.agreement ?? new KeyAgreement(keys.senderKey);
  }

  push(chunk: string): SseAnswerEvent[] {
    this.#pending += chunk;
    const lastNewline = this.#pending.lastIndexOf('\n');
    if (lastNewline < 0) return [];
    const complete = this.#pending.slice(0, lastNewline);
    this.#pending = this.#pending.slice(lastNewline + 1);
    return this.#events(complete);
  }

  /** The events of a last line without a newline. */
  end(): SseAnswerEvent[] {
    const rest = this.#pending;
    this.#pending = '';
    return this.#events(rest);
  }

  #events(lines: string): SseAnswerEvent[] {
    const events: SseAnswerEvent[] = [];
    for (const rawLine of lines.split('\n')) {
      const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
      if (!line.startsWith('data:')) continue; // blank separators, comments, event names
      const data = line.slice(line.startsWith('data: ') ? 6 : 5).trim();
      events.push(decryptSseData(data, this.keys, this.#agreement));
    }
    return events;
  }
}

/** One SSE `data:` payload: `[DONE]`, a clear client-runner error, or an encrypted answer chunk. */
export function decryptSseData(data: string, keys: RequestEncryptionKeys, agreement?: KeyAgreement): SseAnswerEvent {
  if (data === '[DONE]') return { type: 'done' };
  const object = objectOf(data, 'an SSE data line');
  if (!Object.hasOwn(object, 'is_encrypted') && isJsonObject(object.error) && Object.keys(object).length === 1) return { type: 'error', error: object.error };
  if (!Object.hasOwn(object, 'is_encrypted')) throw encryptionRefusal('unexpected-public-key', 'a streamed answer chunk is not encrypted');
  return { type: 'data', data: decryptAnswerObject(object, keys, agreement) };
}
