/**
 * TDX quote parsing (§7.1) on top of dcap-qvl's Quote.parse: header checks first (so an SGX quote
 * is refused with a clear "TDX quote required"), then the TD report (v4 TD 1.0, v5 TD 1.0/1.5),
 * its measurements and, when the PCK chain is embedded, the platform FMSPC and PCK CA type.
 * Browser-safe.
 */
import { Quote, intel, utils } from '@phala/dcap-qvl';
import { CocoonError } from '@cocoon/protocol/browser';
import { readCertificate } from '../certificate/certificate-reader.ts';
import { formatDistinguishedName } from '../certificate/distinguished-name.ts';
import type { TdxMeasurements } from '../verifier/image-hash.ts';

const HEADER_LENGTH = 48;
const TEE_TYPE_SGX = 0x00;
const TEE_TYPE_TDX = 0x81;
const V5_BODY_TYPE_SGX = 1;
/** Certification data type 5: the PCK certificate chain is embedded (PEM) in the quote. */
export const PCK_CERT_CHAIN_EMBEDDED = 5;

export type PckCaType = 'processor' | 'platform';

export interface ParsedTdxQuote {
  /** 4 or 5. */
  readonly version: number;
  readonly teeType: 'tdx' | 'sgx';
  /** 'td10' (TDX 1.0 report) or 'td15' (TDX 1.5, v5 only). */
  readonly reportType: 'td10' | 'td15';
  readonly attestationKeyType: number;
  readonly measurements: TdxMeasurements;
  readonly teeTcbSvn: Buffer;
  readonly mrSeam: Buffer;
  readonly tdAttributes: Buffer;
  readonly xfam: Buffer;
  /** Inner certification data type (5 = embedded PCK chain). */
  readonly certificationDataType: number;
  /** Platform FMSPC in upper-case hex, when the PCK chain is embedded. */
  readonly fmspc?: string;
  /** Which Intel PCK CA issued the platform's PCK certificate, when the chain is embedded. */
  readonly pckCaType?: PckCaType;
  /** Length of the ECDSA-signed prefix (header + body). */
  readonly signedLength: number;
}

/** A parsed quote plus dcap-qvl's own structure, for the verifiers in this folder. */
export interface DecodedTdxQuote {
  readonly parsed: ParsedTdxQuote;
  readonly quote: Quote;
}

const invalid = (message: string, cause?: unknown): CocoonError =>
  new CocoonError('CCN_ERR_ATTEST_QUOTE_INVALID', message, cause === undefined ? {} : { cause });

function checkHeader(bytes: Buffer): void {
  if (bytes.length < HEADER_LENGTH) throw invalid(`TDX quote too short: ${bytes.length} bytes, the header alone is ${HEADER_LENGTH}`);
  const version = bytes.readUInt16LE(0);
  const teeType = bytes.readUInt32LE(4);
  if (teeType === TEE_TYPE_SGX || (version === 5 && bytes.length >= HEADER_LENGTH + 2 && bytes.readUInt16LE(HEADER_LENGTH) === V5_BODY_TYPE_SGX)) {
    throw invalid(`an SGX quote (version ${version}, TEE type 0x${teeType.toString(16).padStart(2, '0')}) was presented; a TDX quote (TEE type 0x81) is required`);
  }
  if (teeType !== TEE_TYPE_TDX) throw invalid(`unknown TEE type 0x${teeType.toString(16)} in quote header; a TDX quote (TEE type 0x81) is required`);
  if (version !== 4 && version !== 5) throw invalid(`unsupported TDX quote version ${version} (expected 4 or 5)`);
}

/** The PCK chain embedded in the quote as DER certificates (leaf first), or undefined when not embedded. */
export function embeddedPckChain(quote: Quote): Buffer[] | undefined {
  const authData = quote.authData.intoV3();
  if (authData.certificationData.certType !== PCK_CERT_CHAIN_EMBEDDED) return undefined;
  return utils.extractCerts(Buffer.from(authData.certificationData.body));
}

/** 'platform' or 'processor', from the issuer of the PCK leaf certificate. */
export function pckCaTypeOf(pckLeafDer: Buffer): PckCaType {
  return /PCK Platform CA/i.test(formatDistinguishedName(readCertificate(pckLeafDer).issuer)) ? 'platform' : 'processor';
}

export function decodeTdxQuote(bytes: Buffer): DecodedTdxQuote {
  checkHeader(bytes);
  let quote: Quote;
  try {
    quote = Quote.parse(bytes);
  } catch (error) {
    throw invalid(`malformed TDX quote: ${(error as Error).message}`, error);
  }
  const td = quote.report.asTd10();
  if (!td) throw invalid(`quote body is a ${quote.report.type} report; a TDX report is required`);
  const copy = (value: Uint8Array): Buffer => Buffer.from(value);
  const { fmspc, pckCaType } = platformOf(quote);
  const parsed: ParsedTdxQuote = {
    version: quote.header.version,
    teeType: 'tdx',
    reportType: quote.report.type === 'td15' ? 'td15' : 'td10',
    attestationKeyType: quote.header.attestationKeyType,
    measurements: {
      mrTd: copy(td.mrTd), mrConfigId: copy(td.mrConfigId), mrOwner: copy(td.mrOwner), mrOwnerConfig: copy(td.mrOwnerConfig),
      rtmr0: copy(td.rtMr0), rtmr1: copy(td.rtMr1), rtmr2: copy(td.rtMr2), rtmr3: copy(td.rtMr3),
      reportData: copy(td.reportData),
    },
    teeTcbSvn: copy(td.teeTcbSvn),
    mrSeam: copy(td.mrSeam),
    tdAttributes: copy(td.tdAttributes),
    xfam: copy(td.xfam),
    certificationDataType: quote.authData.intoV3().certificationData.certType,
    ...(fmspc === undefined ? {} : { fmspc }),
    ...(pckCaType === undefined ? {} : { pckCaType }),
    signedLength: quote.signedLength(),
  };
  return { parsed, quote };
}

/** FMSPC and PCK CA type from the embedded PCK leaf certificate (both undefined when not embedded). */
function platformOf(quote: Quote): { fmspc: string | undefined; pckCaType: PckCaType | undefined } {
  try {
    const leaf = embeddedPckChain(quote)?.[0];
    if (!leaf) return { fmspc: undefined, pckCaType: undefined };
    return { fmspc: Buffer.from(intel.getFmspc(quote)).toString('hex').toUpperCase(), pckCaType: pckCaTypeOf(leaf) };
  } catch (error) {
    throw invalid(`malformed PCK certificate chain in the quote: ${(error as Error).message}`, error);
  }
}

/** Parses a TDX quote (v4/v5); SGX quotes and malformed bytes are refused with CCN_ERR_ATTEST_QUOTE_INVALID. */
export function parseTdxQuote(quote: Buffer): ParsedTdxQuote {
  return decodeTdxQuote(quote).parsed;
}
