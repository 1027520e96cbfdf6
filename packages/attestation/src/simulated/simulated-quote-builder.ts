/**
 * Assembles structurally genuine TDX v4 quotes for the simulated platform: 48-byte header, TD10
 * report body with the given registers and REPORTDATA, then the ECDSA-P256 auth data (quote
 * signature, attestation key, QE report signed by the dev PCK key, QE auth data, PEM PCK chain).
 */
import { createHash, type KeyObject } from 'node:crypto';
import {
  ATTESTATION_KEY_TYPE_ECDSA_P256,
  INTEL_QE_VENDOR_ID,
  QUOTE_HEADER_LENGTH,
  QUOTE_VERSION_4,
  TD_REPORT10_LENGTH,
  TEE_TYPE_TDX,
  TdReportOffset,
} from '../tee/tdx-quote-layout.ts';
import type { TdxMeasurements } from '../verifier/image-hash.ts';
import type { DevAttestationAuthority } from './dev-attestation-authority.ts';
import { signRawEcdsa } from './dev-certificate-issuer.ts';
import { DevPlatform } from './dev-platform.ts';

/** The eight measurement registers of a TD (a TdxMeasurements without REPORTDATA). */
export type TdxMeasurementRegisters = Omit<TdxMeasurements, 'reportData'>;

const ENCLAVE_REPORT_LENGTH = 384;
const CERTIFICATION_DATA_PCK_CHAIN = 5;
const CERTIFICATION_DATA_QE_REPORT = 6;

/** The QE report of the simulated TD quoting enclave, certifying `attestationPublicKey` (64-byte x‖y). */
function buildQeReport(attestationPublicKey: Buffer): Buffer {
  const report = Buffer.alloc(ENCLAVE_REPORT_LENGTH);
  DevPlatform.cpuSvn.copy(report, 0);
  report.writeUInt32LE(DevPlatform.qe.miscSelect, 16);
  DevPlatform.qe.attributes.copy(report, 48);
  DevPlatform.qe.mrEnclave.copy(report, 64);
  DevPlatform.qe.mrSigner.copy(report, 128);
  report.writeUInt16LE(DevPlatform.qe.isvProdId, 256);
  report.writeUInt16LE(DevPlatform.qe.isvSvn, 258);
  createHash('sha256').update(attestationPublicKey).update(DevPlatform.qe.authData).digest().copy(report, 320);
  return report;
}

/** Certification data type 6: QE report ‖ its PCK signature ‖ QE auth data ‖ type-5 PEM PCK chain. */
export function buildQeCertificationData(authority: DevAttestationAuthority, attestationPublicKey: Buffer): Buffer {
  const qeReport = buildQeReport(attestationPublicKey);
  const chain = Buffer.from(authority.pckCertificateChainPem, 'utf8');
  const authSize = Buffer.alloc(2);
  authSize.writeUInt16LE(DevPlatform.qe.authData.length);
  const chainHeader = Buffer.alloc(6);
  chainHeader.writeUInt16LE(CERTIFICATION_DATA_PCK_CHAIN, 0);
  chainHeader.writeUInt32LE(chain.length, 2);
  return Buffer.concat([qeReport, authority.signWithPckKey(qeReport), authSize, DevPlatform.qe.authData, chainHeader, chain]);
}

function buildHeader(): Buffer {
  const header = Buffer.alloc(QUOTE_HEADER_LENGTH);
  header.writeUInt16LE(QUOTE_VERSION_4, 0);
  header.writeUInt16LE(ATTESTATION_KEY_TYPE_ECDSA_P256, 2);
  header.writeUInt32LE(TEE_TYPE_TDX, 4);
  header.writeUInt16LE(DevPlatform.qe.isvSvn, 8);
  header.writeUInt16LE(DevPlatform.pceSvn, 10);
  INTEL_QE_VENDOR_ID.copy(header, 12);
  return header;
}

function buildTdReport(registers: TdxMeasurementRegisters, reportData: Buffer): Buffer {
  const body = Buffer.alloc(TD_REPORT10_LENGTH);
  DevPlatform.teeTcbSvn.copy(body, TdReportOffset.teeTcbSvn);
  DevPlatform.mrSeam.copy(body, TdReportOffset.mrSeam);
  DevPlatform.tdAttributes.copy(body, TdReportOffset.tdAttributes);
  DevPlatform.xfam.copy(body, TdReportOffset.xfam);
  const place = (value: Buffer, offset: number, length: number, name: string): void => {
    if (value.length !== length) throw new RangeError(`${name} must be ${length} bytes, got ${value.length}`);
    value.copy(body, offset);
  };
  place(registers.mrTd, TdReportOffset.mrTd, 48, 'MRTD');
  place(registers.mrConfigId, TdReportOffset.mrConfigId, 48, 'MRCONFIGID');
  place(registers.mrOwner, TdReportOffset.mrOwner, 48, 'MROWNER');
  place(registers.mrOwnerConfig, TdReportOffset.mrOwnerConfig, 48, 'MROWNERCONFIG');
  place(registers.rtmr0, TdReportOffset.rtmr0, 48, 'RTMR0');
  place(registers.rtmr1, TdReportOffset.rtmr1, 48, 'RTMR1');
  place(registers.rtmr2, TdReportOffset.rtmr2, 48, 'RTMR2');
  place(registers.rtmr3, TdReportOffset.rtmr3, 48, 'RTMR3');
  place(reportData, TdReportOffset.reportData, 64, 'REPORTDATA');
  return body;
}

export interface SimulatedQuoteInput {
  registers: TdxMeasurementRegisters;
  reportData: Buffer;
  attestationPrivateKey: KeyObject;
  attestationPublicKey: Buffer;
  /** From buildQeCertificationData for the same attestation key. */
  qeCertificationData: Buffer;
}

export function buildSimulatedQuote(input: SimulatedQuoteInput): Buffer {
  const signed = Buffer.concat([buildHeader(), buildTdReport(input.registers, input.reportData)]);
  const certificationHeader = Buffer.alloc(6);
  certificationHeader.writeUInt16LE(CERTIFICATION_DATA_QE_REPORT, 0);
  certificationHeader.writeUInt32LE(input.qeCertificationData.length, 2);
  const authData = Buffer.concat([
    signRawEcdsa(input.attestationPrivateKey, signed),
    input.attestationPublicKey,
    certificationHeader,
    input.qeCertificationData,
  ]);
  const authSize = Buffer.alloc(4);
  authSize.writeUInt32LE(authData.length);
  return Buffer.concat([signed, authSize, authData]);
}
