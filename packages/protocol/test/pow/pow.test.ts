// Tests of the PoW pre-handshake codec and solver: §17 vectors and the recorded reference pairs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  decodePowChallenge,
  decodePowResponse,
  encodePowChallenge,
  encodePowResponse,
  powHash,
  powLeadingZeroBits,
  solvePow,
  solvePowAsync,
  verifyPow,
} from '../../src/pow/index.ts';
import { CocoonError } from '../../src/errors/error-table.ts';

interface RecordedLeg {
  challenge_hex: string;
  response_hex: string;
  difficulty: number;
  salt_hex: string;
  nonce: number;
  sha256_salt_nonce_first8_hex: string;
  leading_zero_bits_le_u64: number;
}
/** The recording lives beside the golden frames in @cocoon/test-support (fixtures/reference-frames.json, key `pow`). */
const framesUrl = new URL('../fixtures/reference-frames.json', import.meta.resolve('@cocoon/test-support'));
const recorded = JSON.parse(readFileSync(framesUrl, 'utf8')).pow as Record<string, RecordedLeg | number | string>;
const recordedLegs = Object.entries(recorded).filter((entry): entry is [string, RecordedLeg] => typeof entry[1] === 'object');

const vectorSalt = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');

describe('PoW §17 vectors', () => {
  test('challenge bytes for difficulty 20', () => {
    assert.equal(encodePowChallenge(20, vectorSalt).toString('hex'), '91128e4114000000000102030405060708090a0b0c0d0e0f');
  });
  for (const [difficulty, nonce] of [[8, 480n], [16, 84956n], [20, 303607n]] as const) {
    test(`first nonce for difficulty ${difficulty} is ${nonce}`, () => {
      assert.equal(solvePow({ difficulty, salt: vectorSalt }), nonce);
      assert.equal(verifyPow({ difficulty, salt: vectorSalt }, nonce), true);
      assert.equal(verifyPow({ difficulty, salt: vectorSalt }, nonce - 1n), false);
    });
  }
  test('hash and response bytes for nonce 303607', () => {
    const hash = powHash(vectorSalt, 303607n);
    assert.equal(hash.subarray(0, 8).toString('hex'), '54378ad121060000');
    assert.equal(powLeadingZeroBits(hash), 21);
    assert.equal(encodePowResponse(303607n).toString('hex'), '19738201f7a1040000000000');
    assert.equal(decodePowResponse(Buffer.from('19738201f7a1040000000000', 'hex')), 303607n);
  });
  test('solver agrees with node:crypto on every nonce before the answer', () => {
    const challenge = { difficulty: 10, salt: Buffer.from('a7c5f42b3e80c53424c1446cb3a1356c', 'hex') };
    const nonce = solvePow(challenge);
    for (let candidate = 0n; candidate < nonce; candidate++) assert.equal(verifyPow(challenge, candidate), false);
    assert.equal(verifyPow(challenge, nonce), true);
  });
  test('async solver finds the same nonce across slices (aborting: pow-solver.test.ts)', async () => {
    assert.equal(await solvePowAsync({ difficulty: 16, salt: vectorSalt }, { sliceSize: 1000 }), 84956n);
  });
  test('solver starting above 2^32 crosses into the high word', () => {
    const challenge = { difficulty: 6, salt: vectorSalt };
    const nonce = solvePow(challenge, 0xffff_fff0n);
    assert.ok(nonce >= 0xffff_fff0n);
    assert.equal(verifyPow(challenge, nonce), true);
  });
});

describe('PoW recorded reference pairs', () => {
  assert.equal(recordedLegs.length, 4);
  for (const [name, leg] of recordedLegs) {
    test(name, () => {
      const challenge = decodePowChallenge(Buffer.from(leg.challenge_hex, 'hex'));
      assert.equal(challenge.difficulty, leg.difficulty);
      assert.equal(challenge.salt.toString('hex'), leg.salt_hex);
      assert.equal(encodePowChallenge(challenge.difficulty, challenge.salt).toString('hex'), leg.challenge_hex);
      const nonce = decodePowResponse(Buffer.from(leg.response_hex, 'hex'));
      assert.equal(nonce, BigInt(leg.nonce));
      assert.equal(encodePowResponse(nonce).toString('hex'), leg.response_hex);
      const hash = powHash(challenge.salt, nonce);
      assert.equal(hash.subarray(0, 8).toString('hex'), leg.sha256_salt_nonce_first8_hex);
      assert.equal(powLeadingZeroBits(hash), leg.leading_zero_bits_le_u64);
      assert.equal(verifyPow(challenge, nonce), true);
      assert.equal(verifyPow(challenge, nonce + 1n), false);
    });
  }
});

describe('PoW rejections', () => {
  const isCode = (code: string) => (error: unknown) => error instanceof CocoonError && error.code === code;
  test('bad challenge magic', () => {
    const bytes = encodePowChallenge(20, vectorSalt);
    bytes[0] = 0x90;
    assert.throws(() => decodePowChallenge(bytes), isCode('CCN_ERR_PROTOCOL_DECODE'));
  });
  test('bad response magic and length', () => {
    const bytes = encodePowResponse(480n);
    bytes[3] = 0x02;
    assert.throws(() => decodePowResponse(bytes), isCode('CCN_ERR_PROTOCOL_BAD_POW'));
    assert.throws(() => decodePowResponse(bytes.subarray(0, 11)), isCode('CCN_ERR_PROTOCOL_BAD_POW'));
  });
  test('negative or unsolvable difficulty is refused', () => {
    const bytes = encodePowChallenge(20, vectorSalt);
    bytes.writeInt32LE(-1, 4);
    assert.throws(() => decodePowChallenge(bytes), isCode('CCN_ERR_PROTOCOL_DECODE'));
    bytes.writeInt32LE(65, 4);
    assert.throws(() => decodePowChallenge(bytes), isCode('CCN_ERR_PROTOCOL_DECODE'));
    assert.throws(() => encodePowChallenge(20, vectorSalt.subarray(1)), isCode('CCN_ERR_CONFIG_INVALID'));
  });
  test('wrong nonce fails verification', () => {
    assert.equal(verifyPow({ difficulty: 20, salt: vectorSalt }, 303606n), false);
    assert.equal(verifyPow({ difficulty: 22, salt: vectorSalt }, 303607n), false);
  });
  test('difficulty 0 accepts nonce 0', () => {
    assert.equal(solvePow({ difficulty: 0, salt: vectorSalt }), 0n);
  });
  test('leading zero bits of an all-zero prefix is 64', () => {
    assert.equal(powLeadingZeroBits(Buffer.alloc(32)), 64);
    assert.equal(powLeadingZeroBits(Buffer.from('0000000000000080', 'hex')), 0);
  });
});
