/** Public API of the PoW pre-handshake (§2.1). */
export {
  POW_CHALLENGE_LENGTH,
  POW_CHALLENGE_MAGIC,
  POW_MAX_POSSIBLE_DIFFICULTY,
  POW_RESPONSE_LENGTH,
  POW_RESPONSE_MAGIC,
  POW_SALT_LENGTH,
  decodePowChallenge,
  decodePowResponse,
  encodePowChallenge,
  encodePowResponse,
  type PowChallenge,
} from './pow-codec.ts';
export { powHash, powLeadingZeroBits, solvePow, solvePowAsync, verifyPow, type SolvePowAsyncOptions } from './pow-solver.ts';
