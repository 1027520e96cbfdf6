/**
 * The PoW pre-handshake bytes at their limits: the 24-byte challenge (difficulty 0..64, 16-byte
 * salt) and the 12-byte response (a 64-bit nonce the reference treats as raw bytes), with the
 * error code each side reports for a malformed message.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodePowChallenge,
  decodePowResponse,
  encodePowChallenge,
  encodePowResponse,
  POW_CHALLENGE_LENGTH,
  POW_RESPONSE_LENGTH,
} from '../../src/pow/index.ts';

const salt = Buffer.from('f0e1d2c3b4a5968778695a4b3c2d1e0f', 'hex');
const refusedWith = (code: string, param?: string) => (error: unknown): boolean => {
  const { code: actual, param: actualParam } = error as { code?: string; param?: string };
  return actual === code && (param === undefined || actualParam === param);
};

describe('challenge', () => {
  test('difficulties 0 and 64 round trip; the salt is a copy of the input', () => {
    for (const difficulty of [0, 1, 63, 64]) {
      const bytes = encodePowChallenge(difficulty, salt);
      assert.equal(bytes.length, POW_CHALLENGE_LENGTH);
      const decoded = decodePowChallenge(bytes);
      assert.equal(decoded.difficulty, difficulty);
      assert.deepEqual(decoded.salt, salt);
      bytes.fill(0);
      assert.deepEqual(decoded.salt, salt, 'reusing the read buffer does not change the salt');
    }
  });

  test('encoding refuses a difficulty outside 0..64 or a salt of the wrong size, naming the parameter', () => {
    for (const difficulty of [-1, 65, 1.5, Number.NaN]) {
      assert.throws(() => encodePowChallenge(difficulty, salt), refusedWith('CCN_ERR_CONFIG_INVALID', 'difficulty'), String(difficulty));
    }
    for (const length of [0, 15, 17, 32]) {
      assert.throws(() => encodePowChallenge(20, Buffer.alloc(length)), refusedWith('CCN_ERR_CONFIG_INVALID', 'salt'), String(length));
    }
  });

  test('decoding refuses any other length and says what it got', () => {
    const bytes = encodePowChallenge(20, salt);
    for (const length of [0, 23, 25]) {
      const input = length <= 24 ? bytes.subarray(0, length) : Buffer.concat([bytes, Buffer.alloc(1)]);
      assert.throws(() => decodePowChallenge(input), (error: Error) => refusedWith('CCN_ERR_PROTOCOL_DECODE')(error) && error.message.includes(`got ${length}`));
    }
  });

  test('a response sent where a challenge belongs is refused by its magic', () => {
    const looksLikeResponse = Buffer.concat([encodePowResponse(1n), Buffer.alloc(12)]);
    assert.throws(() => decodePowChallenge(looksLikeResponse), /bad PoW challenge magic 0x01827319/);
  });
});

describe('response', () => {
  test('nonces at the edges of 64 bits round trip as unsigned values', () => {
    for (const nonce of [0n, 1n, 2n ** 32n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n]) {
      const bytes = encodePowResponse(nonce);
      assert.equal(bytes.length, POW_RESPONSE_LENGTH);
      assert.equal(decodePowResponse(bytes), nonce);
    }
  });

  test('a negative nonce is written as its 64-bit two’s complement', () => {
    assert.equal(encodePowResponse(-1n).toString('hex'), '19738201ffffffffffffffff');
    assert.equal(decodePowResponse(encodePowResponse(-1n)), 2n ** 64n - 1n);
  });

  test('wrong length or magic is CCN_ERR_PROTOCOL_BAD_POW', () => {
    const bytes = encodePowResponse(5n);
    assert.throws(() => decodePowResponse(Buffer.concat([bytes, Buffer.alloc(1)])), refusedWith('CCN_ERR_PROTOCOL_BAD_POW'));
    assert.throws(() => decodePowResponse(Buffer.alloc(0)), refusedWith('CCN_ERR_PROTOCOL_BAD_POW'));
    assert.throws(() => decodePowResponse(encodePowChallenge(1, salt).subarray(0, 12)), /bad PoW response magic 0x418e1291/);
  });
});
