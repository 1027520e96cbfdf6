/**
 * PoW check and search (§2.1): valid iff SHA-256(salt ‖ nonce_le64), first 8 bytes read as a
 * little-endian uint64, has at least `difficulty` leading zero bits. The search runs a SHA-256
 * specialised for this single 24-byte block (salt rounds precomputed, no allocation per try);
 * verification uses node:crypto.
 */
import { createHash } from 'node:crypto';
import { CocoonError } from '../errors/error-table.ts';
import { POW_MAX_POSSIBLE_DIFFICULTY, POW_SALT_LENGTH, type PowChallenge } from './pow-codec.ts';

const ROUND_CONSTANTS = Int32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const INITIAL_STATE = Int32Array.from([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);
/** Rounds 0..3 only read the salt words, so their result is computed once per challenge. */
const PRECOMPUTED_ROUNDS = 4;

/** Leading zero bits of `hash[0..8]` read as a little-endian uint64. */
export function powLeadingZeroBits(hash: Buffer): number {
  const high = hash.readUInt32LE(4);
  if (high !== 0) return Math.clz32(high);
  return 32 + Math.clz32(hash.readUInt32LE(0));
}

export function powHash(salt: Buffer, nonce: bigint): Buffer {
  const nonceBytes = Buffer.allocUnsafe(8);
  nonceBytes.writeBigUInt64LE(BigInt.asUintN(64, nonce));
  return createHash('sha256').update(salt).update(nonceBytes).digest();
}

export function verifyPow(challenge: PowChallenge, nonce: bigint): boolean {
  if (challenge.difficulty > POW_MAX_POSSIBLE_DIFFICULTY) return false;
  return powLeadingZeroBits(powHash(challenge.salt, nonce)) >= challenge.difficulty;
}

const byteSwap = (word: number): number =>
  ((word & 0xff) << 24) | ((word & 0xff00) << 8) | ((word >>> 8) & 0xff00) | (word >>> 24);
const rotateRight = (word: number, bits: number): number => (word >>> bits) | (word << (32 - bits));

/**
 * Finds the first nonce, counting from `startNonce` (default 0, like the reference), that satisfies
 * the challenge. Synchronous: difficulty 20 takes about a million hashes (≈0.6 s on average).
 */
export function solvePow(challenge: PowChallenge, startNonce = 0n): bigint {
  const nonce = searchPow(challenge, startNonce, Infinity);
  if (nonce === undefined) throw new CocoonError('CCN_ERR_PROTOCOL_BAD_POW', 'PoW nonce space exhausted');
  return nonce;
}

export interface SolvePowAsyncOptions {
  /** Stops the search with the signal's reason. */
  signal?: AbortSignal;
  /** Hashes tried between two yields to the event loop (default 65 536). */
  sliceSize?: number;
}

/** Same result as {@link solvePow}, but yields to the event loop between slices of the search. */
export async function solvePowAsync(challenge: PowChallenge, options: SolvePowAsyncOptions = {}): Promise<bigint> {
  const sliceSize = options.sliceSize ?? 65_536;
  for (let start = 0n; start < 1n << 64n; start += BigInt(sliceSize)) {
    options.signal?.throwIfAborted();
    const nonce = searchPow(challenge, start, sliceSize);
    if (nonce !== undefined) return nonce;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new CocoonError('CCN_ERR_PROTOCOL_BAD_POW', 'PoW nonce space exhausted');
}

/** Tries `attempts` nonces from `startNonce`; undefined when none of them (or no nonce left) fits. */
function searchPow(challenge: PowChallenge, startNonce: bigint, attempts: number): bigint | undefined {
  const { difficulty, salt } = challenge;
  if (!Number.isInteger(difficulty) || difficulty < 0 || difficulty > POW_MAX_POSSIBLE_DIFFICULTY) {
    throw new CocoonError('CCN_ERR_PROTOCOL_BAD_POW', `PoW difficulty ${difficulty} cannot be solved`);
  }
  if (salt.length !== POW_SALT_LENGTH) {
    throw new CocoonError('CCN_ERR_PROTOCOL_BAD_POW', `PoW salt must be ${POW_SALT_LENGTH} bytes`);
  }
  const schedule = new Int32Array(64);
  for (let index = 0; index < 4; index++) schedule[index] = salt.readInt32BE(index * 4);
  schedule[6] = 0x80000000 | 0;
  schedule[15] = 24 * 8;
  const state = Int32Array.from(INITIAL_STATE);
  compressRounds(schedule, state, 0, PRECOMPUTED_ROUNDS);
  const afterSalt = Int32Array.from(state);
  const initial0 = INITIAL_STATE[0]!;
  const initial1 = INITIAL_STATE[1]!;

  let low = Number(startNonce & 0xffffffffn);
  let high = Number((startNonce >> 32n) & 0xffffffffn);
  for (let attempt = 0; attempt < attempts; attempt++) {
    schedule[4] = byteSwap(low);
    schedule[5] = byteSwap(high);
    for (let index = 16; index < 64; index++) {
      const word15 = schedule[index - 15]!;
      const word2 = schedule[index - 2]!;
      const sigma0 = rotateRight(word15, 7) ^ rotateRight(word15, 18) ^ (word15 >>> 3);
      const sigma1 = rotateRight(word2, 17) ^ rotateRight(word2, 19) ^ (word2 >>> 10);
      schedule[index] = (schedule[index - 16]! + sigma0 + schedule[index - 7]! + sigma1) | 0;
    }
    state.set(afterSalt);
    compressRounds(schedule, state, PRECOMPUTED_ROUNDS, 64);
    // Digest bytes 0..3 = word 0 (big-endian), bytes 4..7 = word 1; the LE uint64's high half is bytes 4..7.
    const highHalf = byteSwap((state[1]! + initial1) | 0) >>> 0;
    const zeroBits = highHalf !== 0 ? Math.clz32(highHalf) : 32 + Math.clz32(byteSwap((state[0]! + initial0) | 0));
    if (zeroBits >= difficulty) return (BigInt(high) << 32n) | BigInt(low);
    low = (low + 1) >>> 0;
    if (low === 0) {
      high = (high + 1) >>> 0;
      if (high === 0) return undefined;
    }
  }
  return undefined;
}

function compressRounds(schedule: Int32Array, state: Int32Array, from: number, to: number): void {
  let a = state[0]!, b = state[1]!, c = state[2]!, d = state[3]!;
  let e = state[4]!, f = state[5]!, g = state[6]!, h = state[7]!;
  for (let round = from; round < to; round++) {
    const sum1 = rotateRight(e, 6) ^ rotateRight(e, 11) ^ rotateRight(e, 25);
    const choice = (e & f) ^ (~e & g);
    const temp1 = (h + sum1 + choice + ROUND_CONSTANTS[round]! + schedule[round]!) | 0;
    const sum0 = rotateRight(a, 2) ^ rotateRight(a, 13) ^ rotateRight(a, 22);
    const majority = (a & b) ^ (a & c) ^ (b & c);
    const temp2 = (sum0 + majority) | 0;
    h = g; g = f; f = e; e = (d + temp1) | 0;
    d = c; c = b; b = a; a = (temp1 + temp2) | 0;
  }
  state[0] = a; state[1] = b; state[2] = c; state[3] = d;
  state[4] = e; state[5] = f; state[6] = g; state[7] = h;
}
