/**
 * Test helper: the reference's proto-3 encryption vectors (test/fixtures/proto3-encryption-vectors.json,
 * checked against the reference's C++ code) and a random source replaying their fixed bytes, which
 * records the sizes asked so a test can compare them with the vectors' `rng_calls`.
 */
import { readFileSync } from 'node:fs';

export interface KeyPairVector {
  ed25519_seed_hex: string;
  ed25519_public_hex: string;
  x25519_private_hex: string;
  x25519_public_hex: string;
}

export interface SharedSecretVector {
  name: 'shared_secret';
  client_seed_hex: string;
  client_public_hex: string;
  worker_seed_hex: string;
  worker_public_hex: string;
  nonce_random_bytes_hex: string;
  encryption_nonce: string;
  raw_x25519_shared_hex: string;
  sha256_input_c_hex: string;
  secret_c_hex: string;
  secret_w_hex: string;
}

export interface StringVector {
  name: string;
  secret_hex: string;
  plaintext_hex: string;
  rng_hex: string;
  rng_calls: number[];
  padding_len: number;
  padded_hex: string;
  msg_id_hex: string;
  ciphertext_hex: string;
  value: string;
}

export interface ChatRequestVector {
  name: 'chat_request';
  sender_seed_hex: string;
  sender_public_hex: string;
  receiver_seed_hex: string;
  receiver_public_hex: string;
  input_json: Record<string, unknown>;
  input_dump: string;
  rng_hex: string;
  rng_calls: number[];
  shared_secret_hex: string;
  encrypted_fields: Array<{ pointer: string; plaintext: string; value: string }>;
  output_dump: string;
  decrypted_dump: string;
  after_client_runner_dump: string;
  worker_forwards_to_backend_dump: string;
}

export interface EncryptionVectors {
  keys: { client: KeyPairVector; worker: KeyPairVector };
  sharedSecret: SharedSecretVector;
  strings: StringVector[];
  chatRequest: ChatRequestVector;
}

export function loadEncryptionVectors(): EncryptionVectors {
  const file = JSON.parse(readFileSync(new URL('../fixtures/proto3-encryption-vectors.json', import.meta.url), 'utf8')) as {
    keys: { client: KeyPairVector; worker: KeyPairVector };
    vectors: Array<{ name: string }>;
  };
  const byName = (name: string) => file.vectors.find((vector) => vector.name === name);
  return {
    keys: file.keys,
    sharedSecret: byName('shared_secret') as SharedSecretVector,
    strings: file.vectors.filter((vector) => vector.name.startsWith('encrypt_')) as StringVector[],
    chatRequest: byName('chat_request') as ChatRequestVector,
  };
}

export const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'hex'));
export const toHexText = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** A random source replaying `bytesHex` front to back; `calls` records each size asked. */
export function replayRandom(bytesHex: string): { random: (length: number) => Uint8Array; calls: number[]; remaining: () => number } {
  const bytes = hex(bytesHex);
  let offset = 0;
  const calls: number[] = [];
  return {
    calls,
    remaining: () => bytes.length - offset,
    random: (length) => {
      calls.push(length);
      if (offset + length > bytes.length) throw new Error(`replayed randomness exhausted: ${length} asked, ${bytes.length - offset} left`);
      const out = bytes.slice(offset, offset + length);
      offset += length;
      return out;
    },
  };
}

/** A deterministic, non-repeating random source for tests that need no particular bytes (a counter through SHA-256 would do; this is simpler). */
export function counterRandom(seed = 1): (length: number) => Uint8Array {
  let state = seed;
  return (length) => {
    const out = new Uint8Array(length);
    for (let index = 0; index < length; index++) {
      state = (state * 1103515245 + 12345) >>> 0;
      out[index] = state >>> 24;
    }
    return out;
  };
}
