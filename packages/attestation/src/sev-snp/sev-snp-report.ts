/**
 * The AMD SEV-SNP ATTESTATION_REPORT (SEV-SNP Firmware ABI spec, Table 23 "ATTESTATION_REPORT
 * Structure"), versions 2 to 5: a strict parser of the 1184-byte structure, the guest policy and
 * TCB_VERSION decoders, and the signature codec (ECDSA P-384 r and s stored little-endian in
 * 72-byte fields, the upper 24 bytes zero). Malformed input throws CCN_ERR_ATTEST_QUOTE_INVALID.
 * Browser-safe (the bundle's Buffer).
 */
import { CocoonError } from '@cocoon/protocol/browser';

export const SEV_SNP_REPORT_LENGTH = 0x4a0;
/** The report is signed over bytes [0, 0x2A0): everything before the signature. */
export const SEV_SNP_SIGNED_LENGTH = 0x2a0;
export const SEV_SNP_SIGNATURE_ALGORITHM_ECDSA_P384_SHA384 = 1;
export const SEV_SNP_MIN_REPORT_VERSION = 2;
export const SEV_SNP_MAX_REPORT_VERSION = 5;
const SIGNATURE_COMPONENT_FIELD = 72;
const SIGNATURE_COMPONENT_LENGTH = 48;

/** Byte offsets of the report fields. */
export const SevSnpReportOffset = {
  version: 0x00,
  guestSvn: 0x04,
  policy: 0x08,
  familyId: 0x10,
  imageId: 0x20,
  vmpl: 0x30,
  signatureAlgorithm: 0x34,
  currentTcb: 0x38,
  platformInfo: 0x40,
  flags: 0x48,
  reportData: 0x50,
  measurement: 0x90,
  hostData: 0xc0,
  idKeyDigest: 0xe0,
  authorKeyDigest: 0x110,
  reportId: 0x140,
  reportIdMa: 0x160,
  reportedTcb: 0x180,
  cpuidFamily: 0x188,
  cpuidModel: 0x189,
  cpuidStepping: 0x18a,
  chipId: 0x1a0,
  committedTcb: 0x1e0,
  currentVersion: 0x1e8,
  committedVersion: 0x1ec,
  launchTcb: 0x1f0,
  launchMitigationVector: 0x1f8,
  currentMitigationVector: 0x200,
  signatureR: 0x2a0,
  signatureS: 0x2e8,
} as const;

/** Guest policy bits (ABI spec §4.3). */
export const SevSnpPolicyBit = {
  smt: 16n,
  reservedMustBeOne: 17n,
  migrateMa: 18n,
  debug: 19n,
  singleSocket: 20n,
} as const;

/** Which key signed the report (flags bits 4:2). */
export type SevSnpSigningKey = 'vcek' | 'vlek' | 'none' | 'reserved';

export interface SevSnpGuestPolicy {
  readonly raw: bigint;
  readonly abiMinor: number;
  readonly abiMajor: number;
  readonly smt: boolean;
  readonly migrateMa: boolean;
  readonly debug: boolean;
  readonly singleSocket: boolean;
}

export interface SevSnpReport {
  readonly version: number;
  readonly guestSvn: number;
  readonly policy: SevSnpGuestPolicy;
  readonly familyId: Buffer;
  readonly imageId: Buffer;
  readonly vmpl: number;
  readonly signatureAlgorithm: number;
  /** TCB_VERSION values as raw little-endian u64 (decode with decodeTcbVersion and the product). */
  readonly currentTcb: bigint;
  readonly platformInfo: bigint;
  readonly authorKeyEnabled: boolean;
  readonly maskChipKey: boolean;
  readonly signingKey: SevSnpSigningKey;
  readonly reportData: Buffer;
  readonly measurement: Buffer;
  readonly hostData: Buffer;
  readonly idKeyDigest: Buffer;
  readonly authorKeyDigest: Buffer;
  readonly reportId: Buffer;
  readonly reportedTcb: bigint;
  /** CPUID family / model / stepping (versions ≥ 3; all zero in version 2). */
  readonly cpuid: { readonly family: number; readonly model: number; readonly stepping: number } | undefined;
  readonly chipId: Buffer;
  readonly committedTcb: bigint;
  readonly launchTcb: bigint;
  /** The signed bytes [0, 0x2A0). */
  readonly signedBytes: Buffer;
  /** The signature as r‖s, big-endian, 48 bytes each (node:crypto 'ieee-p1363'). */
  readonly signature: Buffer;
}

/** The components of a TCB_VERSION; `fmc` only in the Turin layout. */
export interface SevSnpTcbVersion {
  readonly fmc?: number;
  readonly bootLoader: number;
  readonly tee: number;
  readonly snp: number;
  readonly microcode: number;
}

const invalid = (message: string): CocoonError => new CocoonError('CCN_ERR_ATTEST_QUOTE_INVALID', `SEV-SNP report: ${message}`);

export function decodeGuestPolicy(raw: bigint): SevSnpGuestPolicy {
  const bit = (index: bigint): boolean => ((raw >> index) & 1n) === 1n;
  return {
    raw,
    abiMinor: Number(raw & 0xffn),
    abiMajor: Number((raw >> 8n) & 0xffn),
    smt: bit(SevSnpPolicyBit.smt),
    migrateMa: bit(SevSnpPolicyBit.migrateMa),
    debug: bit(SevSnpPolicyBit.debug),
    singleSocket: bit(SevSnpPolicyBit.singleSocket),
  };
}

/**
 * Decodes a TCB_VERSION. Milan and Genoa (layout 'v0'): byte 0 boot loader, 1 TEE, 6 SNP, 7
 * microcode. Turin (layout 'v1'): byte 0 FMC, 1 boot loader, 2 TEE, 3 SNP, 7 microcode.
 */
export function decodeTcbVersion(raw: bigint, layout: 'v0' | 'v1'): SevSnpTcbVersion {
  const byte = (index: number): number => Number((raw >> BigInt(8 * index)) & 0xffn);
  if (layout === 'v1') return { fmc: byte(0), bootLoader: byte(1), tee: byte(2), snp: byte(3), microcode: byte(7) };
  return { bootLoader: byte(0), tee: byte(1), snp: byte(6), microcode: byte(7) };
}

export function encodeTcbVersion(tcb: SevSnpTcbVersion, layout: 'v0' | 'v1'): bigint {
  const bytes = new Array<number>(8).fill(0);
  if (layout === 'v1') [bytes[0], bytes[1], bytes[2], bytes[3]] = [tcb.fmc ?? 0, tcb.bootLoader, tcb.tee, tcb.snp];
  else [bytes[0], bytes[1], bytes[6]] = [tcb.bootLoader, tcb.tee, tcb.snp];
  bytes[7] = tcb.microcode;
  return bytes.reduceRight((value, byte) => (value << 8n) | BigInt(byte & 0xff), 0n);
}

const SIGNING_KEYS: readonly SevSnpSigningKey[] = ['vcek', 'vlek', 'reserved', 'reserved', 'reserved', 'reserved', 'reserved', 'none'];

/** Parses a raw 1184-byte SNP report (versions 2–5). */
export function parseSevSnpReport(bytes: Buffer): SevSnpReport {
  if (!Buffer.isBuffer(bytes)) throw invalid('not a byte buffer');
  if (bytes.length !== SEV_SNP_REPORT_LENGTH) {
    throw invalid(`must be exactly ${SEV_SNP_REPORT_LENGTH} bytes, got ${bytes.length}${bytes.length < SEV_SNP_REPORT_LENGTH ? ' (truncated)' : ''}`);
  }
  const version = bytes.readUInt32LE(SevSnpReportOffset.version);
  if (version < SEV_SNP_MIN_REPORT_VERSION || version > SEV_SNP_MAX_REPORT_VERSION) {
    throw invalid(`unsupported report version ${version} (supported ${SEV_SNP_MIN_REPORT_VERSION}–${SEV_SNP_MAX_REPORT_VERSION})`);
  }
  const copy = (offset: number, length: number): Buffer => Buffer.from(bytes.subarray(offset, offset + length));
  const flags = bytes.readUInt32LE(SevSnpReportOffset.flags);
  const cpuid = version >= 3
    ? { family: bytes[SevSnpReportOffset.cpuidFamily]!, model: bytes[SevSnpReportOffset.cpuidModel]!, stepping: bytes[SevSnpReportOffset.cpuidStepping]! }
    : undefined;
  return {
    version,
    guestSvn: bytes.readUInt32LE(SevSnpReportOffset.guestSvn),
    policy: decodeGuestPolicy(bytes.readBigUInt64LE(SevSnpReportOffset.policy)),
    familyId: copy(SevSnpReportOffset.familyId, 16),
    imageId: copy(SevSnpReportOffset.imageId, 16),
    vmpl: bytes.readUInt32LE(SevSnpReportOffset.vmpl),
    signatureAlgorithm: bytes.readUInt32LE(SevSnpReportOffset.signatureAlgorithm),
    currentTcb: bytes.readBigUInt64LE(SevSnpReportOffset.currentTcb),
    platformInfo: bytes.readBigUInt64LE(SevSnpReportOffset.platformInfo),
    authorKeyEnabled: (flags & 1) === 1,
    maskChipKey: ((flags >> 1) & 1) === 1,
    signingKey: SIGNING_KEYS[(flags >> 2) & 7]!,
    reportData: copy(SevSnpReportOffset.reportData, 64),
    measurement: copy(SevSnpReportOffset.measurement, 48),
    hostData: copy(SevSnpReportOffset.hostData, 32),
    idKeyDigest: copy(SevSnpReportOffset.idKeyDigest, 48),
    authorKeyDigest: copy(SevSnpReportOffset.authorKeyDigest, 48),
    reportId: copy(SevSnpReportOffset.reportId, 32),
    reportedTcb: bytes.readBigUInt64LE(SevSnpReportOffset.reportedTcb),
    cpuid,
    chipId: copy(SevSnpReportOffset.chipId, 64),
    committedTcb: bytes.readBigUInt64LE(SevSnpReportOffset.committedTcb),
    launchTcb: bytes.readBigUInt64LE(SevSnpReportOffset.launchTcb),
    signedBytes: copy(0, SEV_SNP_SIGNED_LENGTH),
    signature: decodeSignature(bytes),
  };
}

function decodeSignature(bytes: Buffer): Buffer {
  const component = (offset: number, name: string): Buffer => {
    const field = bytes.subarray(offset, offset + SIGNATURE_COMPONENT_FIELD);
    if (field.subarray(SIGNATURE_COMPONENT_LENGTH).some((byte) => byte !== 0)) {
      throw invalid(`signature ${name} exceeds 48 bytes (bytes 48..71 of its little-endian field must be zero)`);
    }
    return Buffer.from(field.subarray(0, SIGNATURE_COMPONENT_LENGTH)).reverse();
  };
  return Buffer.concat([component(SevSnpReportOffset.signatureR, 'r'), component(SevSnpReportOffset.signatureS, 's')]);
}

/** Writes an r‖s (big-endian, 48 + 48 bytes) signature into a report's little-endian signature fields. */
export function writeSevSnpSignature(report: Buffer, signature: Buffer): void {
  if (report.length !== SEV_SNP_REPORT_LENGTH) throw new RangeError(`SEV-SNP report must be ${SEV_SNP_REPORT_LENGTH} bytes`);
  if (signature.length !== 2 * SIGNATURE_COMPONENT_LENGTH) throw new RangeError('ECDSA P-384 signature must be 96 bytes (r‖s)');
  report.fill(0, SevSnpReportOffset.signatureR, SEV_SNP_REPORT_LENGTH);
  Buffer.from(signature.subarray(0, 48)).reverse().copy(report, SevSnpReportOffset.signatureR);
  Buffer.from(signature.subarray(48)).reverse().copy(report, SevSnpReportOffset.signatureS);
}
