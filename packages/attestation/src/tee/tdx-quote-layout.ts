/**
 * Byte layout of Intel TDX quotes v4/v5 (§7.1): header, TD report body offsets, and a small
 * structural reader used to check that a quote from a TEE really carries our REPORTDATA.
 */
import { CocoonError } from '@cocoon/protocol';

export const QUOTE_HEADER_LENGTH = 48;
export const TD_REPORT10_LENGTH = 584;
export const QUOTE_VERSION_4 = 4;
export const QUOTE_VERSION_5 = 5;
export const ATTESTATION_KEY_TYPE_ECDSA_P256 = 2;
export const TEE_TYPE_TDX = 0x81;
/** Intel's QE vendor id 939a7233f79c4ca9940a0db3957f0607. */
export const INTEL_QE_VENDOR_ID: Buffer = Buffer.from('939a7233f79c4ca9940a0db3957f0607', 'hex');
/** v5 quotes insert a 6-byte body descriptor (type u16, size u32) after the header. */
export const QUOTE_V5_BODY_DESCRIPTOR_LENGTH = 6;

/** Offsets of the TD report fields relative to the start of the TD report body. */
export const TdReportOffset = {
  teeTcbSvn: 0,
  mrSeam: 16,
  mrSignerSeam: 64,
  seamAttributes: 112,
  tdAttributes: 120,
  xfam: 128,
  mrTd: 136,
  mrConfigId: 184,
  mrOwner: 232,
  mrOwnerConfig: 280,
  rtmr0: 328,
  rtmr1: 376,
  rtmr2: 424,
  rtmr3: 472,
  reportData: 520,
} as const;

/** Returns the 64-byte REPORTDATA of a TDX v4/v5 quote; rejects anything that is not a TDX quote. */
export function readQuoteReportData(quote: Buffer): Buffer {
  if (quote.length < QUOTE_HEADER_LENGTH + TD_REPORT10_LENGTH) {
    throw new CocoonError('CCN_ERR_ATTEST_QUOTE_INVALID', `TDX quote too short (${quote.length} bytes)`);
  }
  const version = quote.readUInt16LE(0);
  const teeType = quote.readUInt32LE(4);
  if (teeType !== TEE_TYPE_TDX) {
    throw new CocoonError('CCN_ERR_ATTEST_QUOTE_INVALID', `quote TEE type is 0x${teeType.toString(16)}, expected TDX (0x81)`);
  }
  let bodyStart = QUOTE_HEADER_LENGTH;
  if (version === QUOTE_VERSION_5) bodyStart += QUOTE_V5_BODY_DESCRIPTOR_LENGTH;
  else if (version !== QUOTE_VERSION_4) {
    throw new CocoonError('CCN_ERR_ATTEST_QUOTE_INVALID', `unsupported TDX quote version ${version}`);
  }
  const start = bodyStart + TdReportOffset.reportData;
  if (quote.length < start + 64) throw new CocoonError('CCN_ERR_ATTEST_QUOTE_INVALID', 'TDX quote truncated');
  return Buffer.from(quote.subarray(start, start + 64));
}
