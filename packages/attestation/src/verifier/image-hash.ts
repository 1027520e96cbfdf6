/**
 * TDX measurements and the COCOON image hash (§7.1): SHA-256 over MRTD ‖ MRCONFIGID ‖ MROWNER ‖
 * MROWNERCONFIG ‖ RTMR0..3 (48 bytes each) ‖ 64 zero bytes; no attestation ⇒ all-zero hash. Browser-safe.
 */
import { sha256 } from '@noble/hashes/sha2.js';

export const MEASUREMENT_REGISTER_LENGTH = 48;
export const REPORT_DATA_LENGTH = 64;
export const IMAGE_HASH_LENGTH = 32;

/** The TD report fields a quote carries (48-byte registers, 64-byte report data). */
export interface TdxMeasurements {
  readonly mrTd: Buffer;
  readonly mrConfigId: Buffer;
  readonly mrOwner: Buffer;
  readonly mrOwnerConfig: Buffer;
  readonly rtmr0: Buffer;
  readonly rtmr1: Buffer;
  readonly rtmr2: Buffer;
  readonly rtmr3: Buffer;
  readonly reportData: Buffer;
}

/** Image hash of a peer without attestation. */
export const EMPTY_IMAGE_HASH: Buffer = Buffer.alloc(IMAGE_HASH_LENGTH);

/** All registers zero: what a fake-TDX peer reports (§7.4). */
export function zeroMeasurements(reportData: Buffer = Buffer.alloc(REPORT_DATA_LENGTH)): TdxMeasurements {
  const zero = (): Buffer => Buffer.alloc(MEASUREMENT_REGISTER_LENGTH);
  return {
    mrTd: zero(), mrConfigId: zero(), mrOwner: zero(), mrOwnerConfig: zero(),
    rtmr0: zero(), rtmr1: zero(), rtmr2: zero(), rtmr3: zero(),
    reportData,
  };
}

export function computeImageHash(measurements: TdxMeasurements | undefined): Buffer {
  if (!measurements) return Buffer.from(EMPTY_IMAGE_HASH);
  const registers = [
    measurements.mrTd, measurements.mrConfigId, measurements.mrOwner, measurements.mrOwnerConfig,
    measurements.rtmr0, measurements.rtmr1, measurements.rtmr2, measurements.rtmr3,
  ];
  const hash = sha256.create();
  for (const register of registers) {
    if (register.length !== MEASUREMENT_REGISTER_LENGTH) throw new RangeError(`measurement register must be ${MEASUREMENT_REGISTER_LENGTH} bytes`);
    hash.update(register);
  }
  return Buffer.from(hash.update(new Uint8Array(REPORT_DATA_LENGTH)).digest());
}
