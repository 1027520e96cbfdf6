/**
 * Wire codec of the PoW pre-handshake (§2.1): the server's 24-byte `cocoon.powSimple`
 * challenge and the client's 12-byte `cocoon.powSimpleResponse`.
 */
import { CocoonError } from '../errors/error-table.ts';

export const POW_CHALLENGE_MAGIC = 0x418e1291;
export const POW_RESPONSE_MAGIC = 0x01827319;
export const POW_CHALLENGE_LENGTH = 24;
export const POW_RESPONSE_LENGTH = 12;
export const POW_SALT_LENGTH = 16;
/** Highest difficulty that can be satisfied: leading zero bits of a 64-bit value. */
export const POW_MAX_POSSIBLE_DIFFICULTY = 64;

export interface PowChallenge {
  readonly difficulty: number;
  readonly salt: Buffer;
}

export function encodePowChallenge(difficulty: number, salt: Buffer): Buffer {
  if (!Number.isInteger(difficulty) || difficulty < 0 || difficulty > POW_MAX_POSSIBLE_DIFFICULTY) {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', `PoW difficulty must be an integer in 0..64, got ${difficulty}`, { param: 'difficulty' });
  }
  if (salt.length !== POW_SALT_LENGTH) {
    throw new CocoonError('CCN_ERR_CONFIG_INVALID', `PoW salt must be ${POW_SALT_LENGTH} bytes, got ${salt.length}`, { param: 'salt' });
  }
  const challenge = Buffer.allocUnsafe(POW_CHALLENGE_LENGTH);
  challenge.writeUInt32LE(POW_CHALLENGE_MAGIC, 0);
  challenge.writeInt32LE(difficulty, 4);
  salt.copy(challenge, 8);
  return challenge;
}

export function decodePowChallenge(bytes: Buffer): PowChallenge {
  if (bytes.length !== POW_CHALLENGE_LENGTH) {
    throw new CocoonError('CCN_ERR_PROTOCOL_DECODE', `PoW challenge must be ${POW_CHALLENGE_LENGTH} bytes, got ${bytes.length}`);
  }
  const magic = bytes.readUInt32LE(0);
  if (magic !== POW_CHALLENGE_MAGIC) {
    throw new CocoonError('CCN_ERR_PROTOCOL_DECODE', `bad PoW challenge magic 0x${magic.toString(16).padStart(8, '0')}`);
  }
  const difficulty = bytes.readInt32LE(4);
  if (difficulty < 0 || difficulty > POW_MAX_POSSIBLE_DIFFICULTY) {
    throw new CocoonError('CCN_ERR_PROTOCOL_DECODE', `PoW difficulty ${difficulty} is outside 0..64`);
  }
  return { difficulty, salt: Buffer.from(bytes.subarray(8, POW_CHALLENGE_LENGTH)) };
}

export function encodePowResponse(nonce: bigint): Buffer {
  const response = Buffer.allocUnsafe(POW_RESPONSE_LENGTH);
  response.writeUInt32LE(POW_RESPONSE_MAGIC, 0);
  response.writeBigInt64LE(BigInt.asIntN(64, nonce), 4);
  return response;
}

/** Returns the nonce as an unsigned 64-bit value (the reference treats it as raw 8 bytes). */
export function decodePowResponse(bytes: Buffer): bigint {
  if (bytes.length !== POW_RESPONSE_LENGTH) {
    throw new CocoonError('CCN_ERR_PROTOCOL_BAD_POW', `PoW response must be ${POW_RESPONSE_LENGTH} bytes, got ${bytes.length}`);
  }
  const magic = bytes.readUInt32LE(0);
  if (magic !== POW_RESPONSE_MAGIC) {
    throw new CocoonError('CCN_ERR_PROTOCOL_BAD_POW', `bad PoW response magic 0x${magic.toString(16).padStart(8, '0')}`);
  }
  return bytes.readBigUInt64LE(4);
}
